// Issue 16's fault matrix: every rotation × {one host unreachable, one host locked, Vault 503 on the write,
// the database unreachable, SIGKILL after the Vault write, the connection cut during the restart}, then adopt's
// rows (the same two host faults, Vault 503 on a mint, SIGKILL and the cut during a swap), on one bed
// (3 real sshd hosts, the Vault test server, a real PostgreSQL, the RDS stand-in) reset between cases. Each
// case asserts the end state, not only the exit code: Vault's version, the database accepting exactly the
// password Vault holds, every host's agent logged in on what Vault holds, no deploy lock left behind, and for
// secret-ids: none live in Vault that no host holds, none destroyed that a host holds.
// Cases test/integration/rotate.test.ts already proves the same way are named in a comment, not repeated.
import { chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { clearFaults, lockHeldByLiveProcess, readServiceLog, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { unfinishedRotations } from '../../src/plays/shared/rotation-journal.js'
import { waitFor } from '../support/wait-for.js'
import { runCli, spawnCli, type CliRun } from './support/cli.js'
import { conn, CONFIG_KEY, DB_KEY, INSTANCE, kv, logsIn, renderedEnv, startRotationBed, type RotationBed } from './support/rotation-bed.js'

let r: RotationBed
// secret-ids live before any case that no host holds (the runbook's own): the invariant is about what the matrix adds
let leftBefore: Set<string>
const HOSTS = [0, 1, 2] as const
// short bounds: a faulted case fails fast instead of waiting minutes
const FAST = ['--timeout', '20s']

beforeAll(async () => {
  r = await startRotationBed()
  await readSecretIdFiles()
  leftBefore = new Set([...liveAccessors()].filter((a) => !heldAccessors().includes(a)))
}, 240_000)

afterAll(async () => {
  await r?.stop()
})

// Back to a clean bed: every fault off, every host and the database up, no lock (each case asserted its own end state first).
afterEach(async () => {
  r.vault.faults.clear()
  r.rds.clearFaults()
  r.rds.instances.setFaults(INSTANCE, {})
  r.rds.instances.setHooks(INSTANCE, {})
  for (const h of r.bed.hosts) {
    clearFaults(stubRootOf(h.dataDir))
    await r.bed.startHost(h.name)
  }
  await Promise.all(HOSTS.map((i) => rm(lockDir(i), { recursive: true, force: true })))
})


const lockDir = (i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik', 'authctl.lock')
const stub = (i: number): string => stubRootOf(r.bed.hosts[i]!.dataDir)
const cli = (args: string[]): Promise<CliRun> => runCli([...args, ...conn(r)], r.env, 120_000)
const json = <T = Record<string, unknown>>(run: CliRun): T => JSON.parse(run.stdout) as T

// --- end-state checks -----------------------------------------------------------------------------------

async function noLockLeft(): Promise<void> {
  for (const i of HOSTS) await expect(stat(lockDir(i)), `host${i + 1}'s deploy lock`).rejects.toThrow(/ENOENT/)
}

// The last thing host i's vault-agent said about its login was a success (it runs on what its file held).
function agentLoggedIn(i: number): boolean {
  const auth = readServiceLog(stub(i), 'authentik', 'vault-agent').filter((l) => l.includes('agent.auth.handler') && /authenticat|error/.test(l))
  return auth.at(-1)?.includes('authentication successful') === true
}

// The database accepts Vault's password, refuses `old` when it moved, and every host renders it.
async function dbAgrees(old?: string): Promise<string> {
  const password = kv(r).data.pg_password!
  expect(await logsIn(r, password), 'the database accepts the password Vault holds').toBe(true)
  if (old !== undefined && old !== password) expect(await logsIn(r, old)).toBe(false)
  for (const i of HOSTS) {
    expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='${password}'`)
    expect(agentLoggedIn(i), `host${i + 1}'s agent logged in`).toBe(true)
  }
  expect(await unfinishedRotations(r.env)).toEqual([])
  await noLockLeft()
  return password
}

async function keyAgrees(): Promise<void> {
  const key = kv(r, CONFIG_KEY).data.secret_key!
  for (const i of HOSTS) {
    expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${key}'`)
    expect(agentLoggedIn(i)).toBe(true)
  }
  expect(await unfinishedRotations(r.env)).toEqual([])
  await noLockLeft()
}

// The role's secret-ids live in the Vault test server, by accessor.
function liveAccessors(): Set<string> {
  const role = r.vault.state.authMounts.get('approle/')?.roles.get('authentik')
  return new Set([...(role?.secretIds.values() ?? [])].map((e) => e.accessor))
}

// The accessor of the secret-id each host's file holds ('' when Vault does not know it).
function heldAccessors(): string[] {
  const role = r.vault.state.authMounts.get('approle/')?.roles.get('authentik')
  return HOSTS.map((i) => role?.secretIds.get(secretIdFiles[i] ?? '')?.accessor ?? '')
}
let secretIdFiles: string[] = []
async function readSecretIdFiles(): Promise<string[]> {
  secretIdFiles = await Promise.all(HOSTS.map(async (i) => (await readFile(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id'), 'utf8')).trim()))
  return secretIdFiles
}

// No secret-id a host holds was destroyed, none is live that no host holds, every agent logged in, no lock.
async function secretIdsAgree(): Promise<void> {
  await readSecretIdFiles()
  const held = heldAccessors()
  expect(held.every((a) => a !== ''), `every host's secret-id is live in Vault: ${JSON.stringify(held)}`).toBe(true)
  const orphans = [...liveAccessors()].filter((a) => !held.includes(a) && !leftBefore.has(a))
  expect(orphans, 'secret-ids live in Vault that no host holds').toEqual([])
  for (const i of HOSTS) expect(agentLoggedIn(i), `host${i + 1}'s agent logged in`).toBe(true)
  await noLockLeft()
}

// --- fault helpers --------------------------------------------------------------------------------------

async function withHostDown<T>(i: number, body: () => Promise<T>): Promise<T> {
  await r.bed.stopHost(r.bed.hosts[i]!.name)
  try {
    return await body()
  } finally {
    await r.bed.startHost(r.bed.hosts[i]!.name)
  }
}

// A lock held by someone else's run (a CI setup), as the lock's own files say.
async function withForeignLock<T>(i: number, body: () => Promise<T>): Promise<T> {
  await mkdir(lockDir(i), { recursive: true })
  await writeFile(join(lockDir(i), 'details.json'), JSON.stringify({ who: 'ci@runner', pid: 4242, command: 'authctl setup' }) + '\n')
  try {
    const out = await body()
    // left in place: it is not ours
    expect(await stat(lockDir(i))).toBeTruthy()
    return out
  } finally {
    await rm(lockDir(i), { recursive: true, force: true })
  }
}

// Host 2's sshd (and every session under it) dies while its restart runs; it comes back once the run ended,
// and its lock (which the run could not release) is cleared as the run's warning says.
async function cutDuringRestart(args: string[]): Promise<CliRun> {
  writeFaults(stub(1), { slowMs: 1_500 })
  const run = spawnCli([...args, ...conn(r)], r.env)
  // a mutating docker call (the restart) holds the stand-in's lock on host2
  await waitFor(() => lockHeldByLiveProcess(stub(1)), 'host2\'s restart', 60_000)
  await r.bed.stopHost('host2')
  const done = await run.done
  clearFaults(stub(1))
  await r.bed.startHost('host2')
  // the cut restart's docker call may outlive its session and hold the stand-in's lock
  await waitFor(() => !lockHeldByLiveProcess(stub(1)), 'host2\'s orphaned docker call', 60_000)
  // the release could not reach host2: its lock stays, and the run says how to clear it
  expect(done.stdout + done.stderr).toContain('authctl lock release -l host2')
  await stat(lockDir(1))
  const release = await cli(['lock', 'release', '-l', 'host2', '--yes'])
  expect(release.code, release.stderr).toBe(0)
  return done
}

// The bastion dies (SIGKILL) while host1's swap holds the stand-in's lock; returns once the orphaned docker call ended.
async function killDuringHost1Swap(args: string[]): Promise<void> {
  writeFaults(stub(0), { slowMs: 1_000 })
  const run = spawnCli([...args, ...conn(r)], r.env)
  // a run that ends before host1's swap would make this wait fail blind: say what it printed instead
  await waitFor(() => run.ended() || lockHeldByLiveProcess(stub(0)), 'host1\'s swap', 60_000)
  expect(run.ended(), `the run ended before host1's swap: ${run.stderr()}`).toBe(false)
  run.kill('SIGKILL')
  await run.done
  clearFaults(stub(0))
  await waitFor(() => !HOSTS.some((i) => lockHeldByLiveProcess(stub(i))), 'the orphaned swap', 60_000)
}

const VAULT_503 = { status: 503, body: { errors: ['upstream unavailable'] } }

// --- the matrix -----------------------------------------------------------------------------------------

interface DbJson { status: string; owed: string[]; versions: { from: number; to: number | null; rollback: number | null }; error?: { message: string; hint?: string } }

// Already proven in rotate.test.ts, the same way (not repeated here):
// - sql × one host unreachable / one host locked ("every host locked and read before Vault or the database changes")
// - rds × the database unreachable at step 1 and while RDS applies; sql × PostgreSQL down after the Vault write
// - rds × SIGKILL while writing v+1, while RDS applies, and during the rolling restart (then lock release + --resume)
describe.each([['rds'], ['sql']] as const)('rotate-db-password --method %s', (method) => {
  const rotate = (...extra: string[]): Promise<CliRun> => cli(['rotate-db-password', '--method', method, '--yes', '--json', ...FAST, ...extra])

  if (method === 'rds') {
    it('one host unreachable: aborted before any change, exit 4; --max-fail 1 rotates, then --resume finishes the owed host', async () => {
      const before = kv(r)
      const modifies = r.rds.instances.modifyCount(INSTANCE)
      const run = await withHostDown(2, () => rotate())
      expect(run.code, run.stdout + run.stderr).toBe(4)
      expect(json<DbJson>(run).status).toBe('aborted')
      expect(kv(r).version).toBe(before.version)
      expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
      await dbAgrees()
      const owed = await withHostDown(2, () => rotate('--max-fail', '1'))
      expect(owed.code, owed.stdout + owed.stderr).toBe(4)
      expect(json<DbJson>(owed)).toMatchObject({ status: 'unfinished', owed: ['host3'] })
      const resumed = await rotate('--resume')
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      expect(kv(r).version).toBe(before.version + 1)
      await dbAgrees(before.data.pg_password)
    })

    it('one host locked by another run: aborted before any change, exit 3, the lock left to its holder', async () => {
      const before = kv(r)
      const run = await withForeignLock(0, () => rotate())
      expect(run.code, run.stdout + run.stderr).toBe(3)
      expect(json<DbJson>(run).error?.message).toContain('ci@runner')
      expect(kv(r).version).toBe(before.version)
      await dbAgrees()
    })
  }

  it('Vault 503 on the write: the database is not touched; the outcome is journaled and --resume finishes', async () => {
    const before = kv(r)
    const modifies = r.rds.instances.modifyCount(INSTANCE)
    r.vault.faults.failNext(`secret/data/${DB_KEY}`, { ...VAULT_503, method: 'POST' })
    const run = await rotate()
    expect(run.code, run.stdout + run.stderr).toBe(6)
    expect(kv(r).version).toBe(before.version)
    expect(await logsIn(r, before.data.pg_password!)).toBe(true)
    expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
    // a 503 that does not say Vault processed nothing is an unknown outcome: --resume settles it
    expect(json<DbJson>(run).error?.hint).toContain('--resume')
    const resumed = await rotate('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(kv(r).version).toBe(before.version + 1)
    await dbAgrees(before.data.pg_password)
  })

  if (method === 'sql') {
    it('the database unreachable at the start: exit 7 before anything changes', async () => {
      const before = kv(r)
      await r.postgres.down()
      const run = await rotate().finally(() => r.postgres.up())
      expect(run.code, run.stdout + run.stderr).toBe(7)
      expect(kv(r).version).toBe(before.version)
      await dbAgrees()
    })

    it('SIGKILL after the Vault write (during the restart): lock release as the hint says, then --resume finishes', async () => {
      const before = kv(r)
      writeFaults(stub(0), { slowMs: 1_000 })
      const run = spawnCli(['rotate-db-password', ...conn(r), '--method', 'sql', '--yes', ...FAST], r.env)
      await waitFor(() => /\[host1\] restarting/.test(run.stderr()), 'host1\'s restart')
      run.kill('SIGKILL')
      await run.done
      clearFaults(stub(0))
      expect(kv(r).version).toBe(before.version + 1)
      // the database already took it: Vault and the database agree even before the resume
      expect(await logsIn(r, kv(r).data.pg_password!)).toBe(true)
      await waitFor(() => !HOSTS.some((i) => lockHeldByLiveProcess(stub(i))), 'the orphaned restart', 60_000)
      const locked = await rotate('--resume')
      expect(locked.code).toBe(3)
      // the killed run's own locks: each host's line says how to clear a stale one
      expect(locked.stdout).toContain('authctl lock release -l host1')
      expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
      const resumed = await rotate('--resume')
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      await dbAgrees(before.data.pg_password)
    })
  }

  it('the connection to a host cut during its restart: the rolling restart stops, host2 and host3 are owed, --resume restarts them', async () => {
    const before = kv(r)
    const run = await cutDuringRestart(['rotate-db-password', '--method', method, '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).toBe(4)
    expect(json<DbJson>(run)).toMatchObject({ status: 'unfinished', owed: ['host2', 'host3'] })
    expect(kv(r).version).toBe(before.version + 1)
    const resumed = await rotate('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    await dbAgrees(before.data.pg_password)
  })
})

// Already proven in rotate.test.ts: one host unreachable (aborted, hint --max-fail 1) and SIGKILL after the
// Vault write (another bastion resumes after lock release).
describe('rotate-secret-key', () => {
  const rotateKey = (...extra: string[]): Promise<CliRun> => cli(['rotate-secret-key', '--yes', '--json', ...FAST, ...extra])

  it('one host locked by another run: aborted before any change, exit 3', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await withForeignLock(1, () => rotateKey())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    expect(kv(r, CONFIG_KEY).version).toBe(before.version)
    await keyAgrees()
  })

  it('Vault 503 on the patch: no host restarted on a half-known key; --resume settles it', async () => {
    const before = kv(r, CONFIG_KEY)
    r.vault.faults.failNext(`secret/data/${CONFIG_KEY}`, { ...VAULT_503, method: 'PATCH' })
    const run = await rotateKey()
    expect(run.code, run.stdout + run.stderr).toBe(6)
    // whether the patch was taken is unknown: journaled, and no host restarted on a key Vault may not hold
    expect(json<DbJson>(run).error?.hint).toContain('rotate-secret-key --resume')
    expect(kv(r, CONFIG_KEY).version).toBe(before.version)
    const resumed = await rotateKey('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    await keyAgrees()
  })

  it('the connection to a host cut during the all-at-once restart: that host is owed, --resume restarts it', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await cutDuringRestart(['rotate-secret-key', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    expect(json<DbJson>(run)).toMatchObject({ status: 'unfinished', owed: ['host2'] })
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    const resumed = await rotateKey('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    await keyAgrees()
  })
})

describe('regen-secret-id', () => {
  const regen = (...extra: string[]): Promise<CliRun> => cli(['regen-secret-id', '--yes', '--json', ...FAST, ...extra])
  interface RegenJson { hosts: { host: string; status: string; accessor: string | null; destroyed: string[]; restored: boolean }[] }

  it('one host unreachable: no host changed, exit 4, nothing minted left live', async () => {
    const before = await readSecretIdFiles()
    const run = await withHostDown(2, () => regen())
    expect(run.code, run.stdout + run.stderr).toBe(4)
    expect(json<RegenJson>(run).hosts.map((h) => h.status)).toEqual(['skipped', 'skipped', 'unreachable'])
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('one host locked by another run: no host changed, exit 3', async () => {
    const before = await readSecretIdFiles()
    const run = await withForeignLock(0, () => regen())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('Vault 503 on a mint: that host is not touched and the rollout stops there', async () => {
    const before = await readSecretIdFiles()
    r.vault.faults.failNext('auth/approle/role/authentik/secret-id', { ...VAULT_503, method: 'POST' })
    const run = await regen()
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('SIGKILL after the mint (during host1\'s swap): lock release, then a new run leaves only the hosts\' secret-ids live (failed before the fix: the other hosts\' secret-ids, minted up front, stayed live)', async () => {
    await killDuringHost1Swap(['regen-secret-id', '--yes', ...FAST])
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    const again = await regen()
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })

  it('the connection cut during host2\'s swap: the secret-id host2 may hold is neither destroyed nor put back; the next run settles it', async () => {
    const run = await cutDuringRestart(['regen-secret-id', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    // nothing host2 may hold was destroyed
    await readSecretIdFiles()
    expect(heldAccessors()[1]).not.toBe('')
    const again = await regen()
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })
})

// adopt (issue 16 item 4) takes an Ansible-era fleet onto one secret-id per host. Each case starts from that
// fleet: one secret-id minted without metadata (runbook Step 5) in every host's file, no records.
describe('adopt', () => {
  const adopt = (...extra: string[]): Promise<CliRun> => cli(['adopt', '--yes', '--json', ...FAST, ...extra])
  interface AdoptJson { hosts: { host: string; status: string }[]; shared: { shared: string[]; destroyed: string[]; holders: string[]; kept: string | null }[] }
  const secretIdFile = (i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id')
  const role = () => r.vault.state.authMounts.get('approle/')!.roles.get('authentik')!
  async function asRoot(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/${path}`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify(body) })
    expect(res.ok, `${path}: ${res.status}`).toBe(true)
    return (await res.json().catch(() => ({}))) as Record<string, unknown>
  }

  // As secret-id-lifecycle.test.ts builds it: every secret-id authctl minted destroyed, a shared one in every
  // file, the records gone, each agent restarted on it. Returns the shared one's accessor.
  async function ansibleEra(): Promise<string> {
    for (const e of [...role().secretIds.values()]) if (!leftBefore.has(e.accessor)) await asRoot('secret-id-accessor/destroy', { secret_id_accessor: e.accessor })
    const { data } = (await asRoot('secret-id', {})) as { data: { secret_id: string; secret_id_accessor: string } }
    for (const i of HOSTS) {
      await writeFile(secretIdFile(i), data.secret_id + '\n', { mode: 0o400 })
      await chown(secretIdFile(i), 100, 1000)
      await rm(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), { force: true })
    }
    const restart = await cli(['restart', '--services', 'vault-agent', '--all-at-once', '--yes'])
    expect(restart.code, restart.stdout + restart.stderr).toBe(0)
    await readSecretIdFiles()
    expect(heldOnShared(data.secret_id_accessor)).toEqual([true, true, true])
    return data.secret_id_accessor
  }
  const heldOnShared = (shared: string): boolean[] => heldAccessors().map((a) => a === shared)

  // Mid-way: which hosts still run on the shared one (the others on one minted for them), every file's
  // secret-id live, the shared one kept (a host may still hold it), nothing else live that no host holds;
  // every agent but `cut`'s logged in (the stand-in's agent logs in inside the docker call a cut kills).
  async function midway(shared: string, onShared: boolean[], opts: { cut?: number; lockLeft?: boolean } = {}): Promise<void> {
    await readSecretIdFiles()
    const held = heldAccessors()
    expect(held.every((a) => a !== ''), `every host's secret-id is live in Vault: ${JSON.stringify(held)}`).toBe(true)
    expect(heldOnShared(shared), 'which hosts still hold the shared secret-id').toEqual(onShared)
    expect(liveAccessors().has(shared), 'the shared secret-id, while a host may still hold it').toBe(true)
    const orphans = [...liveAccessors()].filter((a) => !held.includes(a) && !leftBefore.has(a) && a !== shared)
    expect(orphans, 'secret-ids live in Vault that no host holds').toEqual([])
    for (const i of HOSTS) if (i !== opts.cut) expect(agentLoggedIn(i), `host${i + 1}'s agent logged in`).toBe(true)
    if (!opts.lockLeft) await noLockLeft()
  }

  // The follow-up run finishes: each host on its own secret-id (its metadata names it), the shared one destroyed.
  async function adoptFinishes(shared: string): Promise<void> {
    const run = await adopt()
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(json<AdoptJson>(run).shared[0]).toMatchObject({ destroyed: expect.arrayContaining([shared]), holders: [] })
    await secretIdsAgree()
    expect(liveAccessors().has(shared), 'the shared secret-id once no host holds it').toBe(false)
    const byAccessor = new Map([...role().secretIds.values()].map((e) => [e.accessor, e.metadata.host]))
    expect(heldAccessors().map((a) => byAccessor.get(a))).toEqual(['host1', 'host2', 'host3'])
  }

  it('one host unreachable: no host changed, exit 4; --max-fail 1 adopts the others and keeps the shared one; the next run finishes', async () => {
    const shared = await ansibleEra()
    await withHostDown(2, async () => {
      const run = await adopt()
      expect(run.code, run.stdout + run.stderr).toBe(4)
      expect(json<AdoptJson>(run).hosts.map((h) => h.status)).toEqual(['skipped', 'skipped', 'unreachable'])
      await midway(shared, [true, true, true])
      const partial = await adopt('--max-fail', '1')
      expect(partial.code, partial.stdout + partial.stderr).toBe(4)
      expect(json<AdoptJson>(partial).shared[0]).toMatchObject({ destroyed: [], holders: ['host3'] })
      await midway(shared, [false, false, true])
    })
    await adoptFinishes(shared)
  })

  it('one host locked by another run: no host changed, exit 3, the lock left to its holder; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = await withForeignLock(1, () => adopt())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    await midway(shared, [true, true, true])
    await adoptFinishes(shared)
  })

  it('Vault 503 on host2\'s mint: host2 and host3 untouched, the shared one kept; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = spawnCli(['adopt', ...conn(r), '--yes', ...FAST], r.env)
    // host1's mint went through: the next one is host2's
    await waitFor(() => /\[host1\] minted/.test(run.stderr()), 'host1\'s mint')
    r.vault.faults.failNext('auth/approle/role/authentik/secret-id', { ...VAULT_503, method: 'POST' })
    const done = await run.done
    expect(done.code, done.stdout + done.stderr).toBe(2)
    expect(done.stdout).toContain(`${shared} kept: host2, host3 may still hold it`)
    await midway(shared, [false, true, true])
    await adoptFinishes(shared)
  })

  it('SIGKILL during host1\'s swap: the shared one survives; the next run names the stale lock, after lock release it finishes', async () => {
    const shared = await ansibleEra()
    await killDuringHost1Swap(['adopt', '--yes', ...FAST])
    // host1 holds its new secret-id (written before the agent's restart); the killed run's lock stays
    await midway(shared, [false, true, true], { lockLeft: true })
    const locked = await adopt()
    expect(locked.code, locked.stdout + locked.stderr).toBe(3)
    expect(locked.stdout + locked.stderr).toContain('authctl lock release -l host1')
    expect(liveAccessors().has(shared)).toBe(true)
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    await adoptFinishes(shared)
  })

  it('the connection cut during host2\'s swap: neither the secret-id host2 may hold nor the shared one is destroyed; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = await cutDuringRestart(['adopt', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).toBe(4)
    expect(json<AdoptJson>(run).shared[0]).toMatchObject({ destroyed: [], holders: ['host2', 'host3'] })
    await midway(shared, [false, false, true], { cut: 1 })
    await adoptFinishes(shared)
  })
})

// Issue 16, the last gaps of one secret-id lifecycle: setup mints a host's secret-id only at its turn and puts
// the previous one back when the agent refuses the new one; a secret-id authctl minted for a host that no record
// names (a run killed between its mint and its write) is destroyed by the next run that holds the host's lock.
describe('setup and the secret-id lifecycle', () => {
  const role = () => r.vault.state.authMounts.get('approle/')!.roles.get('authentik')!
  const secretIdFile = (i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id')
  const recordLines = async (i: number): Promise<string[]> => (await readFile(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), 'utf8')).split('\n').filter(Boolean)
  // A secret-id minted the way authctl mints one (or by hand with other metadata), never written to a host,
  // ten minutes ago (a run killed then): younger than the reaper's grace it would be left alone.
  async function mintByHand(metadata: Record<string, string>): Promise<string> {
    const res = await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/secret-id`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify({ metadata: JSON.stringify(metadata) }) })
    expect(res.ok, `minting by hand: ${res.status}`).toBe(true)
    const accessor = ((await res.json()) as { data: { secret_id_accessor: string } }).data.secret_id_accessor
    const entry = [...role().secretIds.values()].find((e) => e.accessor === accessor)!
    entry.creationTime -= 10 * 60_000
    return accessor
  }
  async function destroyByHand(accessor: string): Promise<void> {
    await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/secret-id-accessor/destroy`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify({ secret_id_accessor: accessor }) })
  }

  it('setup --new-secret-id --serial 1 SIGKILLed during host1\'s swap: after lock release the next run leaves only the hosts\' secret-ids live (failed before the fix: host2\'s and host3\'s, minted up front, stayed live)', async () => {
    const before = new Set(liveAccessors())
    await killDuringHost1Swap(['setup', '--new-secret-id', '--yes', '--serial', '1', '--wait-timeout', '20s'])
    // killed at host1's turn: no other host had a secret-id minted for it
    const minted = [...liveAccessors()].filter((a) => !before.has(a))
    const byAccessor = new Map([...role().secretIds.values()].map((e) => [e.accessor, e.metadata.host]))
    expect(minted.map((a) => byAccessor.get(a))).toEqual(['host1'])
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    const again = await cli(['regen-secret-id', '--yes', '--json', ...FAST])
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })

  it('setup --new-secret-id whose new secret-id the agent cannot log in with: the previous one goes back, the new one is destroyed, the agent logs in with the old (failed before the fix: no put-back)', async () => {
    await readSecretIdFiles()
    const old = { file: secretIdFiles[1]!, accessor: heldAccessors()[1]! }
    const known = new Set(liveAccessors())
    // Vault binds host2's new secret-id to a network the agent is not in (as a secret-id's cidr_list does):
    // the agent's login with it is refused, authctl's lookup of it is not
    writeFaults(stub(1), { slowMs: 500 })
    const run = spawnCli(['setup', ...conn(r), '-l', 'host2', '--new-secret-id', '--yes', '--json', '--wait-timeout', '8s'], r.env)
    let refused = ''
    await waitFor(() => {
      const entry = [...role().secretIds.values()].find((e) => !known.has(e.accessor) && e.metadata.host === 'host2')
      if (entry) [entry.cidrList, refused] = [['192.0.2.0/24'], entry.accessor]
      return entry !== undefined
    }, 'host2\'s new secret-id', 60_000, 5)
    const done = await run.done
    clearFaults(stub(1))
    expect(done.code, done.stdout + done.stderr).toBe(2)
    expect(done.stdout + done.stderr).toContain('the previous secret-id was put back and stays valid, the new one was destroyed')
    expect(await readFile(secretIdFile(1), 'utf8')).toBe(old.file + '\n')
    expect((await recordLines(1))[0]).toMatch(new RegExp(`^${old.accessor} [0-9a-f]{64}$`))
    expect(liveAccessors().has(refused), 'the refused secret-id').toBe(false)
    expect(liveAccessors().has(old.accessor), 'the previous secret-id').toBe(true)
    await secretIdsAgree()
  })

  it('a secret-id authctl minted for host1 that no record names is destroyed by the next regen of host1; a shared one and host2\'s are not (failed before the fix: nothing destroyed it)', async () => {
    const orphan = await mintByHand({ host: 'host1', created_by: 'authctl' })
    const shared = await mintByHand({})
    const others = await mintByHand({ host: 'host2', created_by: 'authctl' })
    const byHand = await mintByHand({ host: 'host1' })
    try {
      const run = await cli(['regen-secret-id', '-l', 'host1', '--yes', '--json', ...FAST])
      expect(run.code, run.stdout + run.stderr).toBe(0)
      const live = liveAccessors()
      expect(live.has(orphan), 'host1\'s orphan').toBe(false)
      expect([live.has(shared), live.has(others), live.has(byHand)], 'the shared one, host2\'s, one minted by hand').toEqual([true, true, true])
      expect(json<{ hosts: { destroyed: string[] }[] }>(run).hosts[0]!.destroyed).toContain(orphan)
    } finally {
      for (const a of [shared, others, byHand]) await destroyByHand(a)
    }
    await secretIdsAgree()
  })

  it('setup reaps only when it writes: a no-change setup is one remote command a host and leaves the orphan; a setup with a change destroys it', async () => {
    const orphan = await mintByHand({ host: 'host3', created_by: 'authctl' })
    await r.bed.clearCommands()
    const quiet = await cli(['setup', '--json', '--wait-timeout', '20s'])
    expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0)
    for (const h of r.bed.hosts) {
      const commands = await r.bed.commands(h.name)
      expect(commands, h.name).toHaveLength(1)
      expect(commands[0]).toContain('authctl-state')
    }
    expect(liveAccessors().has(orphan), 'not reaped without the lock').toBe(true)
    const changed = await cli(['setup', '-l', 'host3', '--new-secret-id', '--yes', '--json', '--wait-timeout', '20s'])
    expect(changed.code, changed.stdout + changed.stderr).toBe(0)
    expect(liveAccessors().has(orphan), 'reaped once setup held host3\'s lock').toBe(false)
    await secretIdsAgree()
  })
})
