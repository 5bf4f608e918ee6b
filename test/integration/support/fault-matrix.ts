// Issue 16's fault matrix, its bed and its checks: 3 real sshd hosts, the Vault test server, a real
// PostgreSQL and the RDS stand-in (a rotation bed), reset between cases. Each case asserts the end state, not
// only the exit code: Vault's version, the database accepting exactly the password Vault holds, every host's
// agent logged in on what Vault holds, no deploy lock left behind, and for secret-ids: none live in Vault that
// no host holds, none destroyed that a host holds. The matrix is split over test/integration/fault-matrix-*.test.ts
// so its rows run side by side; each file starts its own bed (module state here is per test file).
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect } from 'vitest'
import { clearFaults, lockHeldByLiveProcess, readServiceLog, stubRootOf, writeFaults } from '../../support/docker-stub/state.mjs'
import { unfinishedRotations } from '../../../src/plays/shared/rotation-journal.js'
import { waitFor } from '../../support/wait-for.js'
import { runCli, spawnCli, type BackgroundRun, type CliRun } from './cli.js'
import { conn, CONFIG_KEY, foreignLock, INSTANCE, kv, lockDir, logsIn, renderedEnv, startedAt, useRotationBed, type RotationBed } from './rotation-bed.js'

export let r: RotationBed
// secret-ids live before any case that no host holds (the runbook's own): the invariant is about what the matrix adds
export let leftBefore: Set<string>
export const HOSTS = [0, 1, 2] as const
// short bounds: a faulted case fails fast instead of waiting minutes
export const FAST = ['--timeout', '20s']

export const stub = (i: number): string => stubRootOf(r.bed.hosts[i]!.dataDir)
export const cli = (args: string[]): Promise<CliRun> => runCli([...args, ...conn(r)], r.env, 120_000)

// --- end-state checks -----------------------------------------------------------------------------------

export async function noLockLeft(): Promise<void> {
  for (const i of HOSTS) await expect(stat(lockDir(r, i)), `host${i + 1}'s deploy lock`).rejects.toThrow(/ENOENT/)
}

// The last thing host i's vault-agent said about its login was a success (it runs on what its file held).
export function agentLoggedIn(i: number): boolean {
  const auth = readServiceLog(stub(i), 'authentik', 'vault-agent').filter((l) => l.includes('agent.auth.handler') && /authenticat|error/.test(l))
  return auth.at(-1)?.includes('authentication successful') === true
}

// The database accepts Vault's password, refuses `old` when it moved, and every host renders it.
export async function dbAgrees(old?: string): Promise<string> {
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

export async function keyAgrees(): Promise<void> {
  const key = kv(r, CONFIG_KEY).data.secret_key!
  for (const i of HOSTS) {
    expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${key}'`)
    expect(agentLoggedIn(i)).toBe(true)
  }
  expect(await unfinishedRotations(r.env)).toEqual([])
  await noLockLeft()
}

// The role's secret-ids live in the Vault test server, by accessor.
export function liveAccessors(): Set<string> {
  const role = r.vault.state.authMounts.get('approle/')?.roles.get('authentik')
  return new Set([...(role?.secretIds.values() ?? [])].map((e) => e.accessor))
}

// The accessor of the secret-id each host's file holds ('' when Vault does not know it).
export function heldAccessors(): string[] {
  const role = r.vault.state.authMounts.get('approle/')?.roles.get('authentik')
  return HOSTS.map((i) => role?.secretIds.get(secretIdFiles[i] ?? '')?.accessor ?? '')
}
export let secretIdFiles: string[] = []
export async function readSecretIdFiles(): Promise<string[]> {
  secretIdFiles = await Promise.all(HOSTS.map(async (i) => (await readFile(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id'), 'utf8')).trim()))
  return secretIdFiles
}

// No secret-id a host holds was destroyed, none is live that no host holds, every agent logged in, no lock.
export async function secretIdsAgree(): Promise<void> {
  await readSecretIdFiles()
  const held = heldAccessors()
  expect(held.every((a) => a !== ''), `every host's secret-id is live in Vault: ${JSON.stringify(held)}`).toBe(true)
  const orphans = [...liveAccessors()].filter((a) => !held.includes(a) && !leftBefore.has(a))
  expect(orphans, 'secret-ids live in Vault that no host holds').toEqual([])
  for (const i of HOSTS) expect(agentLoggedIn(i), `host${i + 1}'s agent logged in`).toBe(true)
  await noLockLeft()
}

// --- fault helpers --------------------------------------------------------------------------------------

// A lock held by someone else's run on host i (rotation-bed.ts), left in place by the run.
export const withForeignLock = <T>(i: number, body: () => Promise<T>): Promise<T> => foreignLock(r, i, body)

export async function withHostDown<T>(i: number, body: () => Promise<T>): Promise<T> {
  await r.bed.stopHost(r.bed.hosts[i]!.name)
  try {
    return await body()
  } finally {
    await r.bed.startHost(r.bed.hosts[i]!.name)
  }
}

// Host 2's sshd (and every session under it) dies while its restart runs; it comes back once the run ended,
// and its lock (which the run could not release) is cleared as the run's warning says.
export async function cutDuringRestart(args: string[]): Promise<CliRun> {
  writeFaults(stub(1), { slowMs: 1_500 })
  const agentBefore = startedAt(r, 1)
  const run = spawnCli([...args, ...conn(r)], r.env)
  await whileRunning(run, async () => {
    // host2's restart is under way (its vault-agent restarted: four slowed docker calls, 6 s or more, remain).
    // Not the stand-in's lock: a short window between calls, which a loaded machine saw only at the last
    // call, and the restart had ended before the cut.
    await waitFor(() => startedAt(r, 1) !== agentBefore, 'host2\'s restart', 60_000, 50)
    await r.bed.stopHost('host2')
  })
  const done = await run.done
  clearFaults(stub(1))
  await r.bed.startHost('host2')
  // the cut restart's docker call may outlive its session and hold the stand-in's lock
  await waitFor(() => !lockHeldByLiveProcess(stub(1)), 'host2\'s orphaned docker call', 60_000)
  // the release could not reach host2: its lock stays, and the run says how to clear it
  expect(done.stdout + done.stderr).toContain('authctl lock release -l host2')
  await stat(lockDir(r, 1))
  const release = await cli(['lock', 'release', '-l', 'host2', '--yes'])
  expect(release.code, release.stderr).toBe(0)
  return done
}

// The bastion dies (SIGKILL) during host1's swap (its vault-agent restarted on the new secret-id, the rest of
// the restart still to come); returns once the orphaned docker call ended.
export async function killDuringHost1Swap(args: string[]): Promise<void> {
  writeFaults(stub(0), { slowMs: 1_000 })
  const agentBefore = startedAt(r, 0)
  const run = spawnCli([...args, ...conn(r)], r.env)
  await whileRunning(run, async () => {
    // a run that ends before host1's swap would make this wait fail blind: say what it printed instead
    await waitFor(() => run.ended() || startedAt(r, 0) !== agentBefore, 'host1\'s swap', 60_000, 50)
    expect(run.ended(), `the run ended before host1's swap: ${run.stderr()}`).toBe(false)
  })
  run.kill('SIGKILL')
  await run.done
  clearFaults(stub(0))
  await waitFor(() => !HOSTS.some((i) => lockHeldByLiveProcess(stub(i))), 'the orphaned swap', 60_000)
}

// Runs `body` while `run` goes on; if it fails, the run is killed first, so it cannot act on the bed the
// next case gets (a faulted case's run left going restarted hosts under the next one).
async function whileRunning(run: BackgroundRun, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (error) {
    run.kill('SIGKILL')
    await run.done
    throw error
  }
}

export const VAULT_503 = { status: 503, body: { errors: ['upstream unavailable'] } }

// Registers the file's bed: started before its first case, reset after each, stopped after its last.
export function useFaultMatrixBed(): void {
  useRotationBed(async (bed) => {
    r = bed
    await readSecretIdFiles()
    leftBefore = new Set([...liveAccessors()].filter((a) => !heldAccessors().includes(a)))
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
    await Promise.all(HOSTS.map((i) => rm(lockDir(r, i), { recursive: true, force: true })))
  })
}
