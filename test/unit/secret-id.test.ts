import { describe, expect, it } from 'vitest'
import { Secret } from '../../src/output/secret.js'
import { decideSecretId, type SecretIdVault } from '../../src/steps/secret-id.js'

const now = new Date('2026-11-29T00:00:00Z')
const day = 86_400_000

function vaultWith(accessors: Record<string, Date | null>): SecretIdVault {
  return {
    lookupSecretIdAccessor: async (_role, accessor) => (accessor in accessors ? { expirationTime: accessors[accessor] ?? null } : null),
    createSecretId: async () => ({ secretId: new Secret('s'), accessor: 'new' }),
    destroySecretIdAccessor: async () => undefined,
  }
}

const base = { role: 'authentik', hasSecretIdFile: true, recordedAccessor: 'a1', forceNew: false, minRemainingMs: 7 * day, now }

describe('decideSecretId', () => {
  it.each([
    ['valid, far from expiry', { a1: new Date(now.getTime() + 30 * day) }, base, { action: 'keep', accessor: 'a1' }],
    ['valid, never expires', { a1: null }, base, { action: 'keep', accessor: 'a1' }],
    ['expires soon', { a1: new Date(now.getTime() + day) }, base, { action: 'mint', reason: 'the secret-id expires at 2026-11-30T00:00:00.000Z', previousAccessor: 'a1' }],
    ['accessor gone', {}, base, { action: 'mint', reason: 'the recorded secret-id (accessor a1) is no longer valid in Vault' }],
    ['no file', { a1: null }, { ...base, hasSecretIdFile: false }, { action: 'mint', reason: 'the host has no secret-id', previousAccessor: 'a1' }],
    ['no accessor', {}, { ...base, recordedAccessor: undefined }, { action: 'mint', reason: 'no accessor is recorded for the host secret-id' }],
    ['forced', { a1: null }, { ...base, forceNew: true }, { action: 'mint', reason: '--new-secret-id was given', previousAccessor: 'a1' }],
  ])('%s', async (_name, accessors, input, expected) => {
    expect(await decideSecretId(vaultWith(accessors), input)).toEqual(expected)
  })
})
