// The secret-id lifecycle's decision: keep or mint, what is owed a destroy, and what a host reports
// that Vault contradicts (another host's accessor, a file the record does not describe).
import { describe, expect, it } from 'vitest'
import { Secret } from '../../../src/util/secret.js'
import { decideSecretId, type SecretIdVault } from '../../../src/steps/secret-id.js'
import { contentSha, formatRecord, parseRecord } from '../../../src/steps/secret-id-record.js'

const now = new Date('2026-11-29T00:00:00Z')
const day = 86_400_000
const SHA1 = contentSha('secret-one\n')
const SHA2 = contentSha('secret-two\n')

// accessor → [expiry, host in metadata]
function vaultWith(accessors: Record<string, [Date | null, string | undefined]>): SecretIdVault {
  return {
    lookupSecretIdAccessor: async (_role, a) => {
      const entry = accessors[a]
      if (entry === undefined) return null
      const metadata: Record<string, string> = entry[1] === undefined ? {} : { host: entry[1] }
      return { expirationTime: entry[0], metadata }
    },
    createSecretId: async () => ({ secretId: new Secret('s'), accessor: 'new' }),
    destroySecretIdAccessor: async () => true,
  }
}

const far = new Date(now.getTime() + 30 * day)
const base = { host: 'h1', role: 'authentik', fileSha: SHA1, record: [`acc-one-1 ${SHA1}`], forceNew: false, minRemainingMs: 7 * day, now }

describe('decideSecretId', () => {
  it.each([
    ['valid, far from expiry', { 'acc-one-1': [far, 'h1'] }, base, { action: 'keep', accessor: 'acc-one-1', sha256: SHA1, owed: [], warnings: [] }],
    ['valid, never expires', { 'acc-one-1': [null, 'h1'] }, base, { action: 'keep', accessor: 'acc-one-1', sha256: SHA1, owed: [], warnings: [] }],
    ['an old record without checksum', { 'acc-one-1': [null, 'h1'] }, { ...base, record: ['acc-one-1'] }, { action: 'keep', accessor: 'acc-one-1', sha256: SHA1, owed: [], warnings: [] }],
    ['expires soon', { 'acc-one-1': [new Date(now.getTime() + day), 'h1'] }, base, { action: 'mint', reason: 'the secret-id expires at 2026-11-30T00:00:00.000Z', previous: 'acc-one-1', owed: [], warnings: [] }],
    ['accessor gone', {}, base, { action: 'mint', reason: 'the recorded secret-id (accessor acc-one-1) is no longer valid in Vault', previous: undefined, owed: [], warnings: [] }],
    ['no file', { 'acc-one-1': [null, 'h1'] }, { ...base, fileSha: undefined }, { action: 'mint', reason: 'the host has no secret-id', previous: undefined, owed: ['acc-one-1'], warnings: [] }],
    ['forced', { 'acc-one-1': [null, 'h1'] }, { ...base, forceNew: true }, { action: 'mint', reason: '--new-secret-id was given', previous: 'acc-one-1', owed: [], warnings: [] }],
  ])('%s', async (_name, accessors, input, expected) => {
    expect(await decideSecretId(vaultWith(accessors as Record<string, [Date | null, string | undefined]>), input)).toEqual(expected)
  })

  it('keeps accessors owed by an earlier failed run, but only those Vault still knows as this host\'s', async () => {
    const record = [`acc-one-1 ${SHA1}`, 'owed acc-old-11', 'owed acc-gone-1', 'owed acc-othr-1']
    const d = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h1'], 'acc-old-11': [far, 'h1'], 'acc-othr-1': [far, 'h2'] }), { ...base, record })
    expect(d).toMatchObject({ action: 'keep', owed: ['acc-old-11'] })
    expect(d.warnings).toEqual(['not destroying secret-id accessor acc-othr-1 that the host reports: Vault says it was minted for h2'])
  })

  it('a host reporting another host\'s accessor (clone or tampering) gets its own and destroys nothing of the other', async () => {
    const d = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h2'] }), base)
    expect(d).toMatchObject({ action: 'mint', reason: 'its secret-id belongs to h2', previous: undefined, owed: [] })
    expect(d.warnings[0]).toMatch(/minted for h2, not h1 \(a cloned or tampered host\?\).*authctl regen-secret-id -l h2/)
  })

  it('a write cut between the secret-id and its record: the pending entry that matches the file becomes current', async () => {
    // the host got the new file (SHA2) while the record still names the old one as current
    const record = [`acc-one-1 ${SHA1}`, `pending acc-two-2 ${SHA2}`]
    const d = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h1'], 'acc-two-2': [far, 'h1'] }), { ...base, fileSha: SHA2, record })
    expect(d).toEqual({ action: 'keep', accessor: 'acc-two-2', sha256: SHA2, owed: ['acc-one-1'], warnings: [] })
    // cut before the file was renamed: the pending one is owed (it never reached the host)
    const before = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h1'], 'acc-two-2': [far, 'h1'] }), { ...base, fileSha: SHA1, record })
    expect(before).toMatchObject({ action: 'keep', accessor: 'acc-one-1', owed: ['acc-two-2'] })
  })

  it('a secret-id file that no record describes (deployed before authctl, or changed by hand) gets a new one and is reported', async () => {
    const unknown = await decideSecretId(vaultWith({}), { ...base, record: [] })
    expect(unknown).toMatchObject({ action: 'mint', reason: 'no accessor is recorded for the host secret-id' })
    expect(unknown.warnings[0]).toMatch(/did not record \(deployed before authctl\?\)/)
    const changed = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h1'] }), { ...base, fileSha: SHA2 })
    expect(changed).toMatchObject({ action: 'mint', reason: 'the secret-id file does not match its record', owed: ['acc-one-1'] })
  })

  it('never trusts record lines it does not understand', async () => {
    const d = await decideSecretId(vaultWith({ 'acc-one-1': [far, 'h1'] }), { ...base, record: [`acc-one-1 ${SHA1}`, 'owed ../../etc', '\u001b]52;c;x'] })
    expect(d.owed).toEqual([])
    expect(d.warnings).toHaveLength(2)
  })

  // failed on the code before this change: a secret-id with no host in its metadata counted as this host's and was owed a destroy
  it('a secret-id whose metadata names no host (Ansible-era, runbook) is never owed a destroy, whatever the record says', async () => {
    const shared = vaultWith({ 'acc-one-1': [null, undefined], 'acc-shrd-1': [null, undefined] })
    const forced = await decideSecretId(shared, { ...base, record: [`acc-one-1 ${SHA1}`, 'owed acc-shrd-1'], forceNew: true })
    expect(forced).toMatchObject({ action: 'mint', previous: 'acc-one-1', owed: [] })
    expect(forced.action === 'mint' && forced.keepPrevious).toBe(true)
    expect(forced.warnings.join('\n')).toMatch(/acc-shrd-1.*names no host/)
    // without --new-secret-id the host keeps running on it, and is told how to get its own
    const kept = await decideSecretId(shared, base)
    expect(kept).toMatchObject({ action: 'keep', accessor: 'acc-one-1', owed: [] })
    expect(kept.warnings.join('\n')).toMatch(/authctl adopt/)
  })
})

describe('the secret-id record', () => {
  it('round-trips current, pending and owed, and reads the old one-line form', () => {
    const text = formatRecord({ current: { accessor: 'acc-one-1', sha256: SHA1 }, pending: { accessor: 'acc-two-2', sha256: SHA2 }, owed: ['acc-old-11'] })
    expect(text).toBe(`acc-one-1 ${SHA1}\npending acc-two-2 ${SHA2}\nowed acc-old-11\n`)
    expect(parseRecord(text.split('\n'))).toEqual({ current: { accessor: 'acc-one-1', sha256: SHA1 }, pending: { accessor: 'acc-two-2', sha256: SHA2 }, owed: ['acc-old-11'], rejected: [] })
    expect(parseRecord(['acc-one-1'])).toEqual({ current: { accessor: 'acc-one-1' }, owed: [], rejected: [] })
  })
})
