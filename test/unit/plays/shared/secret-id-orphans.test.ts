// Reaping secret-ids authctl minted for a host that no record names (a run killed between its mint and
// its write): only this host's and authctl's, never one a record names, never when the file's secret-id
// is unknown; the role is listed once a run.
import { describe, expect, it } from 'vitest'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { newOutcome } from '../../../../src/engine/host-result.js'
import { namedBy, onceARun, ORPHAN_GRACE_MS, reapOrphans, type OrphanVault } from '../../../../src/plays/shared/secret-id-orphans.js'
import { hostPaths } from '../../../../src/stack/host-paths.js'
import type { RemoteHost } from '../../../../src/remote/remote-host.js'

const NOW = new Date('2026-12-04T12:00:00Z')
// minted an hour before NOW, except where a test says otherwise
const created = new Map<string, Date | null>()
const METADATA: Record<string, Record<string, string>> = {
  'acc-orphan-1': { host: 'h1', created_by: 'authctl' },
  'acc-current-1': { host: 'h1', created_by: 'authctl' },
  'acc-owed-01': { host: 'h1', created_by: 'authctl' },
  'acc-by-hand-1': { host: 'h1' },
  'acc-shared-01': {},
  'acc-other-h2': { host: 'h2', created_by: 'authctl' },
}

function vault(log: string[]): OrphanVault {
  return {
    listSecretIdAccessors: async () => (log.push('list'), Object.keys(METADATA)),
    lookupSecretIdAccessor: async (_r, a) => (log.push(`lookup ${a}`), { expirationTime: null, creationTime: created.has(a) ? created.get(a)! : new Date(NOW.getTime() - 3_600_000), metadata: METADATA[a]! }),
    createSecretId: async () => { throw new Error('not here') },
    destroySecretIdAccessor: async (_r, a) => (log.push(`destroy ${a}`), true),
  }
}

const remote: RemoteHost = { name: 'h1', exec: async () => { throw new Error('no remote command') } }
const target = (name = 'h1') => ({ host: { name, root: '/data/authentik', project: 'authentik', role: 'authentik' }, paths: hostPaths('/data/authentik'), remote, result: newOutcome(name) })

describe('reapOrphans', () => {
  it('destroys only what authctl minted for this host and no record names', async () => {
    const log: string[] = []
    const v = vault(log)
    const h = target()
    const destroyed = await reapOrphans(h, { vault: v, reporter: silentReporter }, onceARun(v), { named: ['acc-current-1', 'acc-owed-01'], known: true, now: NOW })
    expect(destroyed).toEqual(['acc-orphan-1'])
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual(['destroy acc-orphan-1'])
  })

  it('destroys nothing when the host\'s file matches no record: it warns, naming them', async () => {
    const log: string[] = []
    const v = vault(log)
    const h = target()
    expect(await reapOrphans(h, { vault: v, reporter: silentReporter }, onceARun(v), { named: ['acc-current-1'], known: false, now: NOW })).toEqual([])
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual([])
    expect(h.result.warnings.join('\n')).toMatch(/acc-orphan-1, acc-owed-01 were minted by authctl for h1.*none destroyed/)
  })

  it('lists the role and looks each secret-id up once a run, however many hosts are reaped', async () => {
    const log: string[] = []
    const v = vault(log)
    const once = onceARun(v)
    await reapOrphans(target('h1'), { vault: v, reporter: silentReporter }, once, { named: [], known: true, now: NOW })
    await reapOrphans(target('h2'), { vault: v, reporter: silentReporter }, once, { named: [], known: true, now: NOW })
    expect(log.filter((l) => l === 'list')).toHaveLength(1)
    expect(log.filter((l) => l.startsWith('lookup'))).toHaveLength(Object.keys(METADATA).length)
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual(['destroy acc-orphan-1', 'destroy acc-current-1', 'destroy acc-owed-01', 'destroy acc-other-h2'])
  })

  it('leaves an orphan younger than the grace alone (a setup may be between its mint and its write), and one Vault gives no time for is old', async () => {
    const log: string[] = []
    const v = vault(log)
    created.set('acc-orphan-1', new Date(NOW.getTime() - ORPHAN_GRACE_MS + 1000))
    created.set('acc-owed-01', null)
    try {
      const events: string[] = []
      const h = target()
      const destroyed = await reapOrphans(h, { vault: v, reporter: { ...silentReporter, event: (_h, m) => void events.push(m) } }, onceARun(v), { named: ['acc-current-1'], known: true, now: NOW })
      expect(destroyed).toEqual(['acc-owed-01'])
      expect(events.join('\n')).toMatch(/left alone for now: secret-id\(s\) acc-orphan-1 minted for this host less than 5 min ago/)
      created.set('acc-orphan-1', new Date(NOW.getTime() - ORPHAN_GRACE_MS))
      expect(await reapOrphans(target(), { vault: v, reporter: silentReporter }, onceARun(v), { named: ['acc-current-1'], known: true, now: NOW })).toEqual(['acc-orphan-1', 'acc-owed-01'])
    } finally {
      created.clear()
    }
  })

  it('a Vault error while listing is a warning, not a failed host', async () => {
    const v = { ...vault([]), listSecretIdAccessors: async () => { throw new Error('permission denied') } }
    const h = target()
    expect(await reapOrphans(h, { vault: v, reporter: silentReporter }, onceARun(v), { named: [], known: true, now: NOW })).toEqual([])
    expect(h.result.warnings[0]).toContain('permission denied')
  })

  it('namedBy: every accessor a record names (current, pending, owed)', () => {
    expect(namedBy([`acc-current-1 ${'a'.repeat(64)}`, `pending acc-pending-1 ${'b'.repeat(64)}`, 'owed acc-owed-01'])).toEqual(['acc-current-1', 'acc-pending-1', 'acc-owed-01'])
  })
})
