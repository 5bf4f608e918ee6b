import { describe, expect, it } from 'vitest'
import { rdsFailure } from '../../../src/db/rds-error.js'
import { ConfigError, DatabaseError, InterruptedError } from '../../../src/errors.js'
import { Secret } from '../../../src/output/secret.js'

const site = { instanceId: 'db-1', profile: 'shared-services' }
const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { name, ...extra })

describe('rdsFailure', () => {
  it.each([
    [sdkError('DBInstanceNotFoundFault', 'DBInstance db-1 not found.'), ConfigError, 'RDS instance db-1 was not found (AWS profile shared-services): DBInstance db-1 not found.'],
    [sdkError('InvalidDBInstanceStateFault', 'Database instance is not in available state.'), DatabaseError, 'RDS instance db-1 cannot be modified in its current state: Database instance is not in available state.'],
    [sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), ConfigError, 'no AWS credentials found for AWS profile shared-services: Could not load credentials from any providers'],
    [sdkError('Error', 'Region is missing'), ConfigError, 'no AWS region configured for AWS profile shared-services'],
    [sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.'), ConfigError, 'AWS refused the credentials of AWS profile shared-services (InvalidClientTokenId): The security token included in the request is invalid.'],
    [sdkError('SignatureDoesNotMatch', 'bad signature'), ConfigError, 'AWS refused the credentials of AWS profile shared-services (SignatureDoesNotMatch): bad signature'],
    [sdkError('AccessDenied', 'not allowed'), DatabaseError, 'AWS denied rds:ModifyDBInstance on db-1 to AWS profile shared-services: not allowed'],
    [sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }), DatabaseError, 'cannot reach the RDS API for db-1: connect ECONNREFUSED 127.0.0.1:9'],
    [sdkError('TimeoutError', 'socket hang up'), DatabaseError, 'cannot reach the RDS API for db-1: socket hang up'],
    [sdkError('InvalidParameterCombination', 'You can\'t specify MasterUserPassword with ManageMasterUserPassword turned on.'), ConfigError, expect.stringMatching(/^RDS instance db-1 has ManageMasterUserPassword on/)],
    [sdkError('Throttling', 'Rate exceeded'), DatabaseError, 'RDS ModifyDBInstance failed for db-1: Throttling: Rate exceeded'],
  ])('%s', (error, type, message) => {
    const mapped = rdsFailure(error, 'modify', site, [])
    expect(mapped).toBeInstanceOf(type)
    expect(mapped.message).toEqual(message)
    expect(mapped.hint).toBeTruthy()
  })

  it('cuts the password out of any message the SDK passes on', () => {
    const password = new Secret('SENTINEL-pw-123456')
    const mapped = rdsFailure(sdkError('InvalidParameterValue', 'bad value SENTINEL-pw-123456'), 'modify', site, [password])
    expect(mapped.message).not.toContain('SENTINEL')
    expect(mapped.message).toContain('<redacted>')
  })

  it('an aborted call is an interruption, whatever the SDK threw', () => {
    const controller = new AbortController()
    controller.abort()
    expect(rdsFailure(sdkError('AbortError', 'aborted'), 'describe', site, [], controller.signal)).toBeInstanceOf(InterruptedError)
  })
})
