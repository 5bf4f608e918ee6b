import { describe, expect, it } from 'vitest'
import type { DbEndpoint } from '../../../src/db/db-types.js'
import { pgFailure } from '../../../src/db/pg-error.js'
import { DatabaseError, InterruptedError, UnreachableError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

const endpoint: DbEndpoint = { host: 'db.internal', port: 5432, database: 'authentik', sslMode: 'verify-full' }
const err = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code })

describe('pgFailure', () => {
  it.each([
    [err('password authentication failed for user "authentik"', '28P01'), 'login-refused'],
    [err('no pg_hba.conf entry for host "10.0.0.5", user "authentik", database "authentik", no encryption', '28000'), 'login-refused'],
    [err('permission denied to alter role', '42501'), 'refused'],
    [err('connect ECONNREFUSED 10.0.0.9:5432', 'ECONNREFUSED'), 'unreachable'],
    [err('timeout expired'), 'unreachable'],
    [err('Connection terminated unexpectedly'), 'unreachable'],
    [err('The server does not support SSL connections'), 'tls'],
    [err('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), 'tls'],
    [new UnreachableError('host1: cannot open a tunnel to db.internal:5432: Connection refused'), 'unreachable'],
  ])('%s → %s', (error, reason) => {
    const mapped = pgFailure(error, 'log in', endpoint, 'authentik', [])
    expect(mapped).toBeInstanceOf(DatabaseError)
    expect((mapped as DatabaseError).reason).toBe(reason)
    expect(mapped.message).toBe(`cannot log in as authentik@db.internal:5432/authentik: ${error.message}${'code' in error ? ` [${String(error.code)}]` : ''}`)
  })

  it('names the --via host and cuts secrets out', () => {
    const via = { name: 'auth01', open: () => Promise.reject(new Error('unused')) }
    const mapped = pgFailure(err('weird SENTINEL-secret-1 echo'), 'log in', { ...endpoint, via }, 'authentik', [new Secret('SENTINEL-secret-1')])
    expect(mapped.message).toBe('cannot log in as authentik@db.internal:5432/authentik via auth01: weird <redacted> echo')
  })

  it('passes an interruption through', () => {
    const interrupted = new InterruptedError('stop')
    expect(pgFailure(interrupted, 'log in', endpoint, 'u', [])).toBe(interrupted)
  })
})
