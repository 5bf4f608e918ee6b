// The unfinished rotation kept beside its secret in Vault (custom_metadata), through a fake Vault that
// keeps Vault's rules (merge patch, null removes a key, 512 bytes a value): written in pieces, read back,
// removed once finished, and preferred over this bastion's journal when it is newer (another bastion's).
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Reporter } from '../../../../src/engine/reporter.js'
import { markStep, newJournal, saveJournal, type DbJournal } from '../../../../src/plays/shared/rotation-journal.js'
import { mirrorPatch, readMirror, type MirrorVault } from '../../../../src/plays/shared/rotation-mirror.js'
import { journalStore, unfinishedAnywhere } from '../../../../src/plays/shared/rotation-store.js'
import type { KvMetadata } from '../../../../src/vault/kv.js'

const SECRET = { mount: 'secret', key: 'cwiq/shared/authentik/database', display: 'secret/cwiq/shared/authentik/database' }
const hosts = Array.from({ length: 40 }, (_, i) => `authentik-host-${String(i).padStart(3, '0')}.internal.example.com`)

function journal(at = '2026-01-01T00:00:00Z'): DbJournal {
  const j = newJournal({ kind: 'rotate-db-password', who: 'op@bastion-a', command: 'authctl rotate-db-password --yes', path: SECRET.display, method: 'rds', target: 'RDS instance x', instanceId: 'x', restart: true, fromVersion: 4 }, new Date(at))
  j.toVersion = 5
  for (const h of hosts) j.hosts[h] = h.endsWith('7.internal.example.com') ? 'unreachable' : 'changed'
  markStep(j, 'propagate', 'wrote version 5', new Date(at))
  return j
}

function fakeVault(opts: { down?: boolean } = {}): MirrorVault & { custom: Record<string, string>; patches: number } {
  const v = {
    custom: { owner: 'platform-team' } as Record<string, string>,
    patches: 0,
    kvMetadata: async () => {
      if (opts.down) throw new Error('Vault is sealed')
      return { currentVersion: 5, customMetadata: { ...v.custom } } as KvMetadata
    },
    kvPatchMetadata: async (_m: string, _k: string, patch: Record<string, string | null>) => {
      if (opts.down) throw new Error('Vault is sealed')
      v.patches++
      for (const [k, value] of Object.entries(patch)) {
        if (value !== null && Buffer.byteLength(value) > 512) throw new Error(`custom_metadata validation failed: length of value for key "${k}" exceeds 512`)
        if (value === null) delete v.custom[k]
        else v.custom[k] = value
      }
    },
  }
  return v
}

const quiet = (): Reporter & { warnings: string[] } => {
  const warnings: string[] = []
  return { event: () => undefined, warn: (_h, m) => void warnings.push(m), warnings }
}

describe('the rotation mirror in Vault', () => {
  it('records the journal in pieces of at most 512 bytes, reads it back without the history, and keeps other keys', async () => {
    const vault = fakeVault()
    const j = journal()
    await vault.kvPatchMetadata(SECRET.mount, SECRET.key, mirrorPatch(j))
    const pieces = Object.keys(vault.custom).filter((k) => k.startsWith('authctl-rotation.'))
    expect(pieces.length).toBeGreaterThan(1)
    expect(vault.custom.owner).toBe('platform-team')
    expect(await readMirror(vault, 'rotate-db-password', SECRET.mount, SECRET.key)).toEqual({ ...j, events: [] })
    // a shorter journal leaves no piece of the longer one behind
    j.hosts = { h1: 'changed' }
    markStep(j, 'done', 'every host restarted', new Date())
    await vault.kvPatchMetadata(SECRET.mount, SECRET.key, mirrorPatch(j))
    expect(Object.keys(vault.custom).sort()).toEqual(['authctl-rotation.0', 'owner'])
    expect(await readMirror(vault, 'rotate-db-password', SECRET.mount, SECRET.key)).toMatchObject({ step: 'done', hosts: { h1: 'changed' } })
  })

  it('a damaged record, or one of another kind, is an error naming where it is', async () => {
    const vault = fakeVault()
    vault.custom['authctl-rotation.0'] = '{"format":1'
    await expect(readMirror(vault, 'rotate-db-password', 'secret', 'k')).rejects.toThrow('the custom_metadata authctl-rotation.* of secret/k in Vault is damaged')
    await vault.kvPatchMetadata('secret', 'k', mirrorPatch(journal()))
    await expect(readMirror(vault, 'rotate-secret-key', 'secret', 'k')).rejects.toThrow('is not a rotate-secret-key journal')
  })

  it('another bastion sees the rotation (status, --resume); once it finishes there, the first bastion sees that too', async () => {
    const vault = fakeVault()
    const envA = { HOME: await mkdtemp(join(tmpdir(), 'authctl-a-')) }
    const envB = { HOME: await mkdtemp(join(tmpdir(), 'authctl-b-')) }
    const a = journalStore('rotate-db-password', SECRET, { vault, reporter: quiet(), env: envA })
    const j = journal()
    await a.save(j)
    const b = journalStore('rotate-db-password', SECRET, { vault, reporter: quiet(), env: envB })
    expect(await b.load()).toEqual({ ...j, events: [] })
    const seen = await unfinishedAnywhere([{ kind: 'rotate-db-password', secret: SECRET }], { vault, env: envB })
    expect(seen).toEqual([expect.objectContaining({ kind: 'rotate-db-password', who: 'op@bastion-a', step: 'propagate', source: 'vault', owed: ['authentik-host-007.internal.example.com', 'authentik-host-017.internal.example.com', 'authentik-host-027.internal.example.com', 'authentik-host-037.internal.example.com'], journal: `${SECRET.display} (custom_metadata in Vault)` })])
    // bastion B finishes it: A's own journal still says propagate, but Vault's newer record wins there
    const resumed = (await b.load())!
    markStep(resumed, 'done', 'every host restarted', new Date('2026-01-02T00:00:00Z'))
    await b.save(resumed)
    expect(await unfinishedAnywhere([{ kind: 'rotate-db-password', secret: SECRET }], { vault, env: envB })).toEqual([])
    expect(await unfinishedAnywhere([{ kind: 'rotate-db-password', secret: SECRET }], { vault, env: envA })).toEqual([])
    expect(await a.load()).toMatchObject({ step: 'done', events: j.events })
  })

  it('Vault unreachable: the bastion journal is still written (durably) and the run is told, never stopped', async () => {
    const env = { HOME: await mkdtemp(join(tmpdir(), 'authctl-c-')) }
    const reporter = quiet()
    const store = journalStore('rotate-db-password', SECRET, { vault: fakeVault({ down: true }), reporter, env })
    const j = journal()
    await store.save(j)
    expect(await store.load()).toEqual(j)
    expect(reporter.warnings).toEqual([
      expect.stringContaining('the rotation\'s state could not be recorded in Vault beside secret/cwiq/shared/authentik/database (Vault is sealed): other bastions will not see that it is unfinished'),
      expect.stringContaining('could not read the rotation\'s state in Vault'),
    ])
  })

  it('a step Vault missed (unreachable then) is written there at the next load', async () => {
    const vault = fakeVault()
    const env = { HOME: await mkdtemp(join(tmpdir(), 'authctl-d-')) }
    const j = journal()
    await vault.kvPatchMetadata(SECRET.mount, SECRET.key, mirrorPatch(j))
    markStep(j, 'done', 'every host restarted', new Date('2026-01-01T00:00:05Z'))
    await saveJournal(j, env)
    expect(await journalStore('rotate-db-password', SECRET, { vault, reporter: quiet(), env }).load()).toMatchObject({ step: 'done' })
    expect(await readMirror(vault, 'rotate-db-password', SECRET.mount, SECRET.key)).toMatchObject({ step: 'done' })
  })
})
