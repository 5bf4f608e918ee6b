// The secret-key rotation through fake ports: the --json shape, a lost check-and-set touching no host, a
// host that does not come back (the instances then disagree: said, with the command that fixes it), hosts
// that cannot be locked (nothing changes), the journal of each step, and --resume after each kind of stop.
import { describe, expect, it } from 'vitest'
import { ConfigError, VaultError } from '../../../../src/errors.js'
import type { HostStatus } from '../../../../src/engine/host-result.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { Secret } from '../../../../src/util/secret.js'
import type { RestartHostResult } from '../../../../src/plays/shared/rolling-restart.js'
import type { KeyJournal } from '../../../../src/plays/shared/rotation-journal.js'
import { rotateSecretKey } from '../../../../src/plays/rotate-secret-key/play.js'
import type { SecretKeyPorts } from '../../../../src/plays/rotate-secret-key/transaction.js'
import type { KvMetadata } from '../../../../src/vault/kv.js'

const meta = (version: number) => ({ version, createdTime: null, deletionTime: null, destroyed: false, customMetadata: {} })

// down: hosts the engine could not lock and read; abort: more of them than --max-fail allows
function ports(opts: { conflict?: boolean; lostAnswer?: boolean; failed?: string[]; down?: string[]; abort?: boolean; journal?: KeyJournal } = {}) {
  const versions = new Map<number, Record<string, string>>([[7, { secret_key: 'old-key-SENTINEL'.padEnd(64, 'x'), other: 'kept' }]])
  const patched: { data: Record<string, unknown>; cas?: number }[] = []
  const restarts: string[][] = []
  const audit: Record<string, unknown>[] = []
  const saved: string[] = []
  let stored: KeyJournal | null = opts.journal ?? null
  const current = () => Math.max(...versions.keys())
  const wrap = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, new Secret(v)]))
  const p: SecretKeyPorts = {
    vault: {
      preflight: async () => ({}) as never,
      kvRead: async (_m, _k, v) => ({ data: wrap(versions.get(v ?? current())!), meta: meta(v ?? current()) }),
      kvMetadata: async () => ({ currentVersion: current() }) as KvMetadata,
      kvPatch: async (_m, _p, data, cas) => {
        if (opts.conflict) throw new VaultError('check-and-set parameter did not match the current version', { status: 400 })
        patched.push({ data, cas })
        versions.set(current() + 1, { ...versions.get(current())!, secret_key: (data.secret_key as Secret).reveal() })
        if (opts.lostAnswer) throw new VaultError('Vault did not answer within 30 s', {})
        return meta(current())
      },
    },
    restart: async (hosts, central) => {
      const down = opts.down ?? []
      const result = (h: string, status: HostStatus): RestartHostResult => ({
        host: h, status, durationMs: 1, warnings: [], restarted: [], healthy: status === 'changed', owedRestart: null, timings: {},
        ...(status === 'unreachable' ? { error: { message: `${h}: connection refused`, exitCode: 4 } } : {}),
      })
      if (opts.abort) return { hosts: hosts.map((h) => result(h, down.includes(h) ? 'unreachable' : 'skipped')), exitCode: 4, interrupted: false, timings: {} }
      const ready = hosts.filter((h) => !down.includes(h))
      await central(ready, hosts.filter((h) => down.includes(h)).map((h) => result(h, 'unreachable')))
      restarts.push(ready)
      const status = (h: string): HostStatus => (down.includes(h) ? 'unreachable' : opts.failed?.includes(h) ? 'failed' : 'changed')
      return { hosts: hosts.map((h) => result(h, status(h))), exitCode: down.length ? 4 : opts.failed?.length ? 2 : 0, interrupted: false, timings: {} }
    },
    journal: { path: '/state/rotate-secret-key.json', load: async () => (stored === null ? null : structuredClone(stored)), save: async (j) => void (saved.push(j.step), (stored = structuredClone(j))) },
    confirm: async () => undefined,
    audit: async (e) => void audit.push(e),
    reporter: silentReporter,
    now: () => new Date(0),
  }
  return { p, patched, restarts, audit, saved, versions, stored: () => stored }
}

const o = { mount: 'secret', key: 'cwiq/shared/authentik/config', display: 'secret/cwiq/shared/authentik/config', hosts: ['h1', 'h2', 'h3'], resume: false, who: 'op@bastion', commandLine: 'authctl rotate-secret-key --yes' }

describe('rotateSecretKey', () => {
  it('patches a new 64-character key with check-and-set, restarts every host in one call, journals each step, and its JSON carries no key', async () => {
    const t = ports()
    const r = await rotateSecretKey(t.p, o)
    expect(Object.keys(r).sort()).toEqual(['exitCode', 'journal', 'owed', 'path', 'restart', 'resumed', 'rotation', 'status', 'versions', 'warnings'])
    expect(r).toMatchObject({ rotation: 'secret-key', status: 'rotated', path: o.display, versions: { from: 7, to: 8 }, restart: { mode: 'all-at-once' }, owed: [], exitCode: 0 })
    expect(t.patched).toHaveLength(1)
    expect(t.patched[0]?.cas).toBe(7)
    expect((t.patched[0]?.data.secret_key as Secret).reveal()).toMatch(/^[A-Za-z0-9]{64}$/)
    expect(t.restarts).toEqual([['h1', 'h2', 'h3']])
    expect(t.saved).toEqual(['vault-write', 'propagate', 'done'])
    const text = JSON.stringify([r, t.audit, t.stored()])
    expect(text).not.toContain((t.patched[0]?.data.secret_key as Secret).reveal())
    expect(text).not.toContain('SENTINEL')
    expect(t.audit).toEqual([{ rotation: 'secret-key', status: 'rotated', resumed: false, path: o.display, fromVersion: 7, toVersion: 8, restarted: ['h1', 'h2', 'h3'], owed: [] }])
  })

  it('a lost check-and-set: VaultError naming the version read, no host restarted, the journal says aborted', async () => {
    const t = ports({ conflict: true })
    await expect(rotateSecretKey(t.p, o)).rejects.toThrow('secret/cwiq/shared/authentik/config changed after it was read at version 7 (check-and-set failed): nothing was changed')
    expect(t.restarts).toEqual([])
    expect(t.stored()?.step).toBe('aborted')
  })

  it('a host that did not restart: unfinished, exit 2, and the hint restarts just that host at once', async () => {
    const t = ports({ failed: ['h2'] })
    const r = await rotateSecretKey(t.p, o)
    expect(r).toMatchObject({ status: 'unfinished', exitCode: 2, owed: ['h2'] })
    expect(r.error?.message).toContain('h2 (failed) was not restarted: they may still run with the previous key')
    expect(r.error?.hint).toContain('authctl rotate-secret-key --resume: it restarts only h2, at once')
    expect(r.error?.hint).toContain('authctl restart -l h2 --all-at-once')
    expect(t.stored()).toMatchObject({ step: 'propagate', hosts: { h1: 'changed', h2: 'failed', h3: 'changed' } })
  })

  it('a host down, more than --max-fail: nothing written, no journal, the hint names --max-fail 1', async () => {
    const t = ports({ down: ['h3'], abort: true })
    const r = await rotateSecretKey(t.p, o)
    expect(r).toMatchObject({ status: 'aborted', exitCode: 4 })
    expect(r.error?.message).toContain('h3 unreachable (h3: connection refused)')
    expect(r.error?.hint).toContain('authctl rotate-secret-key --max-fail 1')
    expect(t.patched).toEqual([])
    expect(t.saved).toEqual([])
  })

  it('an unfinished journal blocks a new rotation (exit 5) until --resume', async () => {
    const t = ports({ failed: ['h2'] })
    await rotateSecretKey(t.p, o)
    const again = ports({ journal: t.stored()! })
    await expect(rotateSecretKey(again.p, o)).rejects.toThrow(ConfigError)
    expect(again.patched).toEqual([])
  })

  it('--resume after a host failed: restarts only that host; after a lost answer: finds the version written and restarts everyone', async () => {
    const failed = ports({ failed: ['h2'] })
    await rotateSecretKey(failed.p, o)
    const resumed = ports({ journal: failed.stored()! })
    resumed.versions.set(8, { ...resumed.versions.get(7)!, secret_key: 'n'.repeat(64) })
    const r = await rotateSecretKey(resumed.p, { ...o, resume: true })
    expect(r).toMatchObject({ status: 'rotated', resumed: true, versions: { from: 7, to: 8 }, owed: [] })
    expect(resumed.restarts).toEqual([['h2']])
    expect(resumed.patched).toEqual([])

    const lost = ports({ lostAnswer: true })
    await expect(rotateSecretKey(lost.p, o)).rejects.toThrow('whether version 8 was written is unknown')
    expect(lost.stored()?.step).toBe('vault-write')
    const after = ports({ journal: lost.stored()! })
    after.versions.set(8, { ...lost.versions.get(8)! })
    const done = await rotateSecretKey(after.p, { ...o, resume: true })
    expect(done).toMatchObject({ status: 'rotated', versions: { from: 7, to: 8 } })
    expect(after.restarts).toEqual([['h1', 'h2', 'h3']])
    expect(after.patched).toEqual([])
  })

  it('--resume when the interrupted run wrote nothing: a new rotation; when someone else wrote: VaultError, nothing restarted', async () => {
    const lost = ports({ lostAnswer: true })
    await expect(rotateSecretKey(lost.p, o)).rejects.toThrow(VaultError)
    const unwritten = ports({ journal: lost.stored()! })
    const r = await rotateSecretKey(unwritten.p, { ...o, resume: true })
    expect(r).toMatchObject({ status: 'rotated', resumed: true, versions: { from: 7, to: 8 } })
    expect(unwritten.patched).toHaveLength(1)

    const other = ports({ journal: lost.stored()! })
    other.versions.set(8, { secret_key: 'z'.repeat(64), other: 'changed by someone' })
    await expect(rotateSecretKey(other.p, { ...o, resume: true })).rejects.toThrow('is at version 8, which this rotation did not write')
    expect(other.restarts).toEqual([])
  })
})
