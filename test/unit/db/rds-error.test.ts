import { describe, expect, it } from 'vitest'
import { rdsFailure } from '../../../src/db/rds-error.js'
import { ConfigError, DatabaseError, InterruptedError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

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
    [sdkError('InvalidParameterValue', 'The parameter MasterUserPassword is not a valid password.'), DatabaseError, 'RDS refused ModifyDBInstance for db-1 (InvalidParameterValue): The parameter MasterUserPassword is not a valid password.'],
  ])('%s', (error, type, message) => {
    const mapped = rdsFailure(error, 'modify', site, [])
    expect(mapped).toBeInstanceOf(type)
    expect(mapped.message).toEqual(message)
    expect(mapped.hint).toBeTruthy()
  })

  // What decides "not applied" (a rollback) against "unknown" (look at the instance first).
  const status = (httpStatusCode: number, attempts = 1) => ({ $metadata: { httpStatusCode, attempts } })
  it.each([
    ['a documented refusal: invalid state', sdkError('InvalidDBInstanceStateFault', 'not available', status(400)), 'state'],
    ['a documented refusal: invalid parameter combination', sdkError('InvalidParameterCombination', 'ApplyImmediately', status(400)), 'refused'],
    ['a documented refusal: access denied', sdkError('AccessDenied', 'not authorized to perform rds:ModifyDBInstance', status(403)), 'refused'],
    ['a documented refusal: not authorized', sdkError('Error', 'denied', { Code: 'NotAuthorized', ...status(403) }), 'refused'],
    ['HTTP 500 InternalFailure', sdkError('InternalFailure', 'The request processing has failed', status(500, 3)), 'unknown'],
    ['HTTP 503 without a code', sdkError('Error', 'Service Unavailable', status(503)), 'unknown'],
    ['a documented code under a 5xx status', sdkError('InvalidDBInstanceStateFault', 'odd', status(502)), 'unknown'],
    ['throttling after the SDK gave up retrying', sdkError('Throttling', 'Rate exceeded', status(400, 3)), 'unknown'],
    ['an error RDS does not document', sdkError('SomethingNew', 'what is this', status(400)), 'unknown'],
    ['a cut connection', sdkError('Error', 'socket hang up', { code: 'ECONNRESET', ...status(0, 3) }), 'unreachable'],
    // the first attempt's answer was lost and the SDK retried: the retry finds the change it made pending
    ['a refusal at the second attempt', sdkError('InvalidDBInstanceStateFault', 'not available', status(400, 2)), 'unknown'],
  ])('modify: %s → %s', (_name, error, reason) => {
    const mapped = rdsFailure(error, 'modify', site, [])
    expect(mapped).toBeInstanceOf(DatabaseError)
    expect((mapped as DatabaseError).reason).toBe(reason)
    expect(mapped.hint).toBeTruthy()
  })

  it('a refusal at a later attempt says how many attempts there were and what the last answer was', () => {
    const mapped = rdsFailure(sdkError('InvalidDBInstanceStateFault', 'Database instance is not in available state.', status(400, 2)), 'modify', site, [])
    expect(mapped.message).toBe('RDS ModifyDBInstance for db-1: the outcome is unknown after 2 attempts (an earlier attempt failed in a way that may have applied it; the last answer: RDS instance db-1 cannot be modified in its current state: Database instance is not in available state.)')
  })

  it('a describe refused at a later attempt keeps its documented meaning (a describe changes nothing)', () => {
    expect(rdsFailure(sdkError('InvalidDBInstanceStateFault', 'x', status(400, 2)), 'describe', site, [])).toMatchObject({ reason: 'state' })
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
