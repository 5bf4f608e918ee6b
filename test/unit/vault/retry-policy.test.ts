// Which Vault requests may be resent, on which answers, and how long to wait: exact tables.
import { describe, expect, it } from 'vitest'
import { backoffMs, isIdempotent, parseRetryAfter, retryableError, retryableStatus } from '../../../src/vault/retry-policy.js'

describe('isIdempotent', () => {
  it.each([
    ['GET', 'secret/data/cwiq/shared/authentik/database', true],
    ['HEAD', 'sys/health', true],
    ['DELETE', 'secret/data/cwiq/shared/authentik/database', true],
    ['POST', 'sys/wrapping/lookup', true],
    ['POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', true],
    ['POST', 'auth/approle/role/authentik/secret-id/lookup', true],
    ['POST', 'sys/capabilities-self', true],
    ['POST', 'auth/approle/role/authentik/secret-id', false], // mints a new secret-id each time
    ['POST', 'auth/approle/role/authentik/secret-id-accessor/destroy', false],
    ['POST', 'auth/approle/login', false], // uses up secret-id num_uses, issues a token
    ['POST', 'sys/wrapping/unwrap', false], // single use
    ['POST', 'secret/data/cwiq/shared/authentik/database', false], // a new KV version (with cas: a false conflict)
    ['PATCH', 'secret/data/cwiq/shared/authentik/database', false],
    ['PUT', 'sys/policies/acl/x', false],
  ] as const)('%s %s → %s', (method, path, expected) => {
    expect(isIdempotent({ method, path })).toBe(expected)
  })

  it('lets the caller decide', () => {
    expect(isIdempotent({ method: 'POST', path: 'auth/approle/role/a/secret-id', idempotent: true })).toBe(true)
    expect(isIdempotent({ method: 'GET', path: 'x', idempotent: false })).toBe(false)
  })
})

describe('retryableStatus', () => {
  const sealed = { errors: ['Vault is sealed'] }
  it.each([
    [412, null, true, true],
    [429, null, true, true],
    [500, null, true, true],
    [502, null, true, true],
    [503, null, true, true],
    [504, null, true, true],
    [501, null, true, false],
    [400, null, true, false],
    [403, null, true, false],
    [404, null, true, false],
    [412, null, false, true], // X-Vault-Index not satisfied: refused before processing
    [429, null, false, true], // rate-limit quota: refused before processing
    [503, sealed, false, true],
    [503, { errors: ['no active Vault instance found'] }, false, true],
    [503, { errors: ['upstream unavailable'] }, false, false],
    [500, null, false, false],
    [502, null, false, false],
    [504, null, false, false],
  ] as const)('%i %j idempotent=%s → %s', (status, body, idempotent, expected) => {
    expect(retryableStatus(status, body, idempotent)).toBe(expected)
  })
})

describe('retryableError', () => {
  it.each([
    ['ECONNREFUSED', false, true], // never connected: nothing was sent
    ['ENOTFOUND', false, true],
    ['EHOSTUNREACH', false, true],
    ['ECONNRESET', true, true],
    ['EPIPE', true, true],
    ['HPE_INVALID_CONSTANT', true, true],
    ['ECONNRESET', false, false], // the request may have been processed
    ['EPIPE', false, false],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', true, false],
    ['ERR_TLS_CERT_ALTNAME_INVALID', true, false],
    ['AUTHCTL_DEADLINE', true, false],
    ['AUTHCTL_BODY_TOO_LARGE', true, false],
    ['ERR_INVALID_URL', true, false],
  ] as const)('%s idempotent=%s → %s', (code, idempotent, expected) => {
    expect(retryableError(code, idempotent)).toBe(expected)
  })
})

describe('backoffMs', () => {
  const wait = { minMs: 1000, maxMs: 1500 }
  it('is linear with jitter, like the vault CLI (1–1.5 s, then 2–3 s)', () => {
    expect([backoffMs(1, wait, null, () => 0), backoffMs(1, wait, null, () => 0.999)]).toEqual([1000, 1499])
    expect([backoffMs(2, wait, null, () => 0), backoffMs(2, wait, null, () => 0.5)]).toEqual([2000, 2500])
  })

  it('takes Retry-After when Vault sends it', () => {
    expect(backoffMs(1, wait, 5000, () => 0)).toBe(5000)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    ['3', 3000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:02 GMT', 2000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', null],
    ['-1', null],
    [undefined, null],
  ] as const)('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})
