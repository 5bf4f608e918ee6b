// The database rotation through fake ports, for the paths the test bed cannot reach on cue: a change RDS
// keeps pending past the bound, Ctrl-C while waiting, a refused confirmation, a master user that is not
// Vault's, and --resume facing a database it cannot ask or a Vault someone else changed.
import { describe, expect, it } from 'vitest'
import type { DbPasswordChanger, PreflightInfo } from '../../../../src/db/db-types.js'
import type { LoginCheck } from '../../../../src/db/login-check.js'
import { ConfigError, DatabaseError, InterruptedError, VaultError } from '../../../../src/errors.js'
import type { HostStatus } from '../../../../src/engine/host-result.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { Secret } from '../../../../src/util/secret.js'
import { runDbRotation } from '../../../../src/plays/rotate-db-password/play.js'
import type { DbRotationOptions, DbRotationPorts } from '../../../../src/plays/rotate-db-password/types.js'
import { newJournal, type JournalStep, type DbJournal } from '../../../../src/plays/shared/rotation-journal.js'
import type { KvEntry, KvMetadata } from '../../../../src/vault/kv.js'

const OLD = 'oldPasswordOldPassword0123456789'
const meta = (version: number) => ({ version, createdTime: null, deletionTime: null, destroyed: false, customMetadata: {} })

// Vault with one secret; writes honour check-and-set.
function fakeVault(first: Record<string, string>) {
  const versions = new Map<number, Record<string, string>>([[1, first]])
  let current = 1
  return {
    versions,
    current: () => current,
    writes: 0,
    preflight: async () => ({}) as never,
    kvRead: async (_m: string, _p: string, version?: number): Promise<KvEntry> => {
      const data = versions.get(version ?? current) as Record<string, string>
      return { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new Secret(v)])), meta: meta(version ?? current) }
    },
    kvWrite: async function (_m: string, _p: string, data: Record<string, Secret | string>, opts?: { cas?: number }) {
      this.writes++
      if (opts?.cas !== current) throw new VaultError('check-and-set parameter did not match the current version', { status: 400 })
      versions.set(++current, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()])))
      return meta(current)
    },
    kvMetadata: async () => ({ currentVersion: current }) as KvMetadata,
  }
}

// The database: which password it takes, whether it answers, and an RDS-like changer over it.
function fakeDb(behaviour: { pendingForever?: boolean; waitError?: Error; masterUser?: string; endpointHost?: string } = {}) {
  const db = { password: OLD, reachable: true, pending: undefined as string | undefined, logins: 0 }
  const checkLogin = async (_e: unknown, login: { password: Secret }): Promise<LoginCheck> => {
    db.logins++
    if (!db.reachable) throw new DatabaseError('cannot log in: ECONNREFUSED', { reason: 'unreachable' })
    return login.password.reveal() === db.password ? { ok: true, info: { user: 'authentik', serverVersion: '15', tls: false } } : { ok: false, message: 'password authentication failed' }
  }
  const changer: DbPasswordChanger = {
    method: 'rds',
    preflight: async (): Promise<PreflightInfo> => {
      if (db.pending !== undefined) throw new DatabaseError('RDS instance x is resetting-master-credentials with a master password change pending', { reason: 'state' })
      return { target: 'RDS instance x (master user authentik)', status: 'available', user: behaviour.masterUser ?? 'authentik', endpoint: { host: behaviour.endpointHost ?? 'DB.internal', port: 5432 } }
    },
    changePassword: async (next) => void (db.pending = next.reveal()),
    waitApplied: async () => {
      if (behaviour.waitError) throw behaviour.waitError
      if (behaviour.pendingForever) throw new DatabaseError('RDS instance x did not apply the new master password within 600 s', { reason: 'timeout' })
      db.password = db.pending as string
      db.pending = undefined
    },
    close: async () => undefined,
  }
  return { db, checkLogin, changer }
}

// down: hosts the engine could not lock and read; abort: more of them than --max-fail allows
function setup(opts: { db?: Parameters<typeof fakeDb>[0]; confirm?: () => Promise<void>; journal?: DbJournal; down?: string[]; abort?: boolean } = {}) {
  const vault = fakeVault({ pg_host: 'db.internal', pg_user: 'authentik', pg_password: OLD, pg_name: 'authentik', pg_port: '5432' })
  const { db, checkLogin, changer } = fakeDb(opts.db)
  const saved: JournalStep[] = []
  let stored: DbJournal | null = opts.journal ?? null
  const restarts: string[][] = []
  const p: DbRotationPorts = {
    vault, checkLogin, changer: () => changer, route: async () => undefined,
    // the engine's transaction in small: every host locked (none owed), the central change, then the restart
    restart: async (hosts, central) => {
      const down = opts.down ?? []
      const result = (h: string, status: HostStatus) => ({ host: h, status, durationMs: 0, warnings: [], restarted: [], healthy: status === 'changed', owedRestart: null, timings: {}, ...(status === 'unreachable' ? { error: { message: `${h}: connection refused`, exitCode: 4 } } : {}) })
      const owed = hosts.filter((h) => down.includes(h)).map((h) => result(h, 'unreachable'))
      if (opts.abort) return { hosts: hosts.map((h) => result(h, down.includes(h) ? 'unreachable' : 'skipped')), exitCode: 4, interrupted: false, timings: {} }
      const ready = hosts.filter((h) => !down.includes(h))
      const stop = await central(ready, owed)
      if (stop === undefined) restarts.push(ready)
      return { hosts: hosts.map((h) => result(h, down.includes(h) ? 'unreachable' : stop === undefined ? 'changed' : 'skipped')), exitCode: down.length > 0 ? 4 : 0, interrupted: false, timings: {} }
    },
    journal: { path: '/state/rotate-db-password.json', load: async () => (stored === null ? null : structuredClone(stored)), save: async (j) => void (saved.push(j.step), (stored = structuredClone(j))) },
    confirm: opts.confirm ?? (async () => undefined), audit: async () => undefined, reporter: silentReporter, signal: new AbortController().signal, now: () => new Date(0),
  }
  const o: DbRotationOptions = {
    mount: 'secret', key: 'cwiq/shared/authentik/database', display: 'secret/cwiq/shared/authentik/database', instanceId: 'x', length: 32, restart: true, resume: false,
    tls: { sslMode: 'disable' }, hosts: ['h1', 'h2'], rollout: 'one host at a time', applyTimeoutMs: 1000, who: 'op', commandLine: 'authctl rotate-db-password',
  }
  return { p, o, vault, db, saved, restarts, stored: () => stored }
}

describe('rotate-db-password through fakes', () => {
  it('journals each step before its effect, then restarts every host', async () => {
    const t = setup()
    const r = await runDbRotation(t.p, t.o)
    expect(r.status).toBe('rotated')
    expect(t.saved).toEqual(['vault-write', 'db-change', 'db-change', 'db-verify', 'propagate', 'done'])
    expect(t.db.password).toBe(t.vault.versions.get(2)?.pg_password)
    expect(t.restarts).toEqual([['h1', 'h2']])
  })

  it('more hosts down than --max-fail allows: stopped before the Vault write, nothing changed, no journal, the hint names --max-fail', async () => {
    const t = setup({ down: ['h2'], abort: true })
    const r = await runDbRotation(t.p, t.o)
    expect(r.status).toBe('aborted')
    expect(r.exitCode).toBe(4)
    expect(t.vault.versions.size).toBe(1)
    expect(t.db.password).toBe(OLD)
    expect(t.saved).toEqual([])
    expect(r.error?.message).toContain('h2 unreachable (h2: connection refused)')
    expect(r.error?.hint).toContain('authctl rotate-db-password --max-fail 1')
  })

  it('--max-fail 1 with a host down: rotates, restarts the others, and the journal and result say which host owes the restart', async () => {
    const t = setup({ down: ['h2'] })
    const r = await runDbRotation(t.p, t.o)
    expect(t.restarts).toEqual([['h1']])
    expect(t.db.password).toBe(t.vault.versions.get(2)?.pg_password)
    expect(r).toMatchObject({ status: 'unfinished', owed: ['h2'], exitCode: 4 })
    expect(r.error?.hint).toContain('authctl rotate-db-password --resume: it restarts only h2')
    expect(t.stored()).toMatchObject({ step: 'propagate', hosts: { h1: 'changed', h2: 'unreachable' } })
  })

  it('RDS still pending past the bound: no rollback (RDS may apply it later), unfinished, --resume named', async () => {
    const t = setup({ db: { pendingForever: true } })
    const r = await runDbRotation(t.p, t.o)
    expect(r).toMatchObject({ status: 'unfinished', exitCode: 7, versions: { from: 1, to: 2, rollback: null } })
    expect(r.error?.message).toContain('RDS is still applying a password change')
    expect(r.error?.hint).toContain('authctl rotate-db-password --resume once RDS has applied the change')
    expect(t.vault.current()).toBe(2)
    expect(t.restarts).toEqual([])
    expect(t.stored()?.step).toBe('db-change')
  })

  it('Ctrl-C while waiting: stops at once without probing, exit 130, journal kept for --resume', async () => {
    const t = setup({ db: { waitError: new InterruptedError('interrupted while waiting') } })
    const r = await runDbRotation(t.p, t.o)
    const logins = t.db.logins
    expect(r).toMatchObject({ status: 'unfinished', exitCode: 130 })
    expect(logins).toBe(1)
    expect(t.stored()?.step).toBe('db-change')
  })

  it('a refused confirmation changes nothing and leaves no journal', async () => {
    const t = setup({ confirm: async () => Promise.reject(new ConfigError('not confirmed: nothing was changed')) })
    await expect(runDbRotation(t.p, t.o)).rejects.toThrow('not confirmed')
    expect(t.vault.writes).toBe(0)
    expect(t.stored()).toBeNull()
  })

  it('an RDS master user other than Vault\'s pg_user is refused before anything changes', async () => {
    const t = setup({ db: { masterUser: 'postgres' } })
    await expect(runDbRotation(t.p, t.o)).rejects.toThrow('RDS instance x (master user authentik) changes the password of postgres, but secret/cwiq/shared/authentik/database holds pg_user authentik')
    expect(t.vault.writes).toBe(0)
  })

  it('an RDS instance at another endpoint than Vault\'s pg_host is refused before anything changes', async () => {
    const t = setup({ db: { endpointHost: 'other-db.internal' } })
    await expect(runDbRotation(t.p, t.o)).rejects.toThrow('RDS instance x (master user authentik) listens at other-db.internal:5432, but secret/cwiq/shared/authentik/database holds pg_host db.internal:5432')
    expect(t.vault.writes).toBe(0)
  })

  it('an unfinished journal blocks a new rotation (exit 5) until --resume', async () => {
    const j = newJournal({ kind: 'rotate-db-password', who: 'op', command: 'x', path: 'p', method: 'rds', target: 't', restart: true, fromVersion: 1 }, new Date(0))
    const t = setup({ journal: j })
    await expect(runDbRotation(t.p, t.o)).rejects.toThrow(ConfigError)
    expect(t.vault.writes).toBe(0)
  })

  it('--resume when the database cannot be asked: a DatabaseError, and the journal is left as it was', async () => {
    const t = setup({ db: { pendingForever: true } })
    await runDbRotation(t.p, t.o)
    const before = t.stored()
    t.db.pending = undefined
    t.db.reachable = false
    const error = await runDbRotation(t.p, { ...t.o, resume: true }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as Error).message).toContain('cannot resume yet: the database could not be asked about the new password')
    expect(t.stored()).toEqual(before)
  })

  it('--resume when someone else wrote the secret since: a VaultError, nothing changed', async () => {
    const t = setup({ db: { pendingForever: true } })
    await runDbRotation(t.p, t.o)
    await t.vault.kvWrite('secret', 'k', { pg_host: 'db.internal', pg_user: 'authentik', pg_password: 'someoneElse000000000', pg_name: 'authentik' }, { cas: 2 })
    const writes = t.vault.writes
    await expect(runDbRotation(t.p, { ...t.o, resume: true })).rejects.toThrow('secret/cwiq/shared/authentik/database is at version 3, which this rotation did not write (it started from 1 and wrote 2)')
    expect(t.vault.writes).toBe(writes)
  })

  it('--resume with nothing unfinished is a ConfigError', async () => {
    const t = setup()
    await expect(runDbRotation(t.p, { ...t.o, resume: true })).rejects.toThrow('there is no unfinished rotation to resume')
  })
})
