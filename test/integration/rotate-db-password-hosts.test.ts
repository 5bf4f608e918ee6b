// `authctl rotate-db-password` and the hosts, on a rotation bed of its own (test/integration/support/rotations.ts):
// every host locked and read before Vault or the database changes (one down, one locked, --max-fail), and the
// bastion killed between steps (SIGKILL) then --resume After the last test, every output is searched for every secret.
import { stat } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { clearFaults, lockHeldByLiveProcess, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { runCli, spawnCli } from './support/cli.js'
import { conn, DB_KEY, foreignLock, INSTANCE, journal, json, kv, lockDir, logsIn, renderedEnv, startedAt } from './support/rotation-bed.js'
import { waitFor } from '../support/wait-for.js'
import { convergeRunning, r, requestsBefore, rotate, useRotationsBed, vaultOpensDatabase } from './support/rotations.js'

useRotationsBed('rotate-db-password')

describe('rotate-db-password: every host locked and read before Vault or the database changes', () => {
  const dbUnchanged = async (before: ReturnType<typeof kv>) => {
    expect(kv(r).version).toBe(before.version)
    expect(await logsIn(r, before.data.pg_password!)).toBe(true)
  }

  it('one host unreachable: nothing changes (Vault, database, other hosts), exit 4, and the hint names --max-fail 1', async () => {
    const before = kv(r)
    const modifies = r.rds.instances.modifyCount(INSTANCE)
    const agents = [0, 2].map((i) => startedAt(r, i))
    await r.bed.stopHost('host2')
    let run
    try {
      run = await rotate(['--yes', '--json', '--method', 'sql'])
    } finally {
      await r.bed.startHost('host2')
    }
    expect(run.code, run.stdout + run.stderr).toBe(4)
    const j = json(run)
    expect(j.status).toBe('aborted')
    expect(j.error?.message).toMatch(/1 of 3 hosts could not be locked and read, more than --max-fail allows: host2 unreachable/)
    expect(j.error?.hint).toContain('authctl rotate-db-password --max-fail 1')
    expect(j.restart.hosts.map((h) => [h.host, h.status])).toEqual([['host1', 'skipped'], ['host2', 'unreachable'], ['host3', 'skipped']])
    await dbUnchanged(before)
    expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
    expect([0, 2].map((i) => startedAt(r, i))).toEqual(agents)
    for (const i of [0, 2]) await expect(stat(lockDir(r, i))).rejects.toThrow(/ENOENT/)
  })

  it('one host locked by another run: nothing changes, exit 3, the lock holder is named and left in place', async () => {
    const before = kv(r)
    const run = await foreignLock(r, 2, () => rotate(['--yes', '--json', '--method', 'sql']))
    expect(run.code, run.stdout + run.stderr).toBe(3)
    expect(json(run).status).toBe('aborted')
    expect(json(run).error?.message).toContain('ci@runner')
    expect(json(run).error?.hint).toContain('Wait for the lock on host3 (--lock-wait 5m) or, if the run holding it is gone (see the recap), clear it: authctl lock release -l host3 --yes')
    await dbUnchanged(before)
  })

  it('--max-fail 1 with one host down: rotates and restarts the others, host2 owes the restart; --resume finishes only host2', async () => {
    const before = kv(r)
    await r.bed.stopHost('host2')
    let run
    try {
      run = await rotate(['--yes', '--json', '--method', 'sql', '--max-fail', '1'])
    } finally {
      await r.bed.startHost('host2')
    }
    expect(run.code, run.stdout + run.stderr).toBe(4)
    const j = json(run)
    expect(j).toMatchObject({ status: 'unfinished', owed: ['host2'], versions: { from: before.version, to: before.version + 1 } })
    expect(j.restart.hosts.map((h) => [h.host, h.status])).toEqual([['host1', 'changed'], ['host2', 'unreachable'], ['host3', 'changed']])
    expect(j.error?.hint).toContain('it restarts only host2')
    const password = kv(r).data.pg_password!
    expect(await logsIn(r, password)).toBe(true)
    expect(await journal(r)).toMatchObject({ step: 'propagate', hosts: { host1: 'changed', host2: 'unreachable', host3: 'changed' } })
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', owed: [] })
    expect(json(resumed).restart.hosts.map((h) => [h.host, h.status])).toEqual([['host2', 'changed']])
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='${password}'`)
  })
})

describe('rotate-db-password: the bastion killed between steps (SIGKILL), then --resume', () => {
  it('killed while writing version v+1: --resume reads the new password back from Vault and finishes', async () => {
    const before = kv(r)
    r.vault.faults.delay(`secret/data/${DB_KEY}`, 1_500, { method: 'POST', count: 1 })
    const cli = spawnCli(['rotate-db-password', ...conn(r), '--yes', '--no-restart'], r.env)
    await waitFor(async () => (await journal(r))?.step === 'vault-write' && r.vault.requests.slice(requestsBefore).some((q) => q.method === 'POST'), 'the journaled write')
    cli.kill('SIGKILL')
    await cli.done
    // Vault still processes the write the dead process sent
    await waitFor(() => kv(r).version === before.version + 1, 'the write to land')
    expect(await journal(r)).toMatchObject({ step: 'vault-write', toVersion: null })
    expect(await logsIn(r, before.data.pg_password!)).toBe(true)
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1 } })
    expect(kv(r).version).toBe(before.version + 1)
    expect(await vaultOpensDatabase()).toBe(kv(r).at(before.version + 1)?.pg_password)
  })

  it('killed while RDS applies the change: --resume waits for it and finishes', async () => {
    const before = kv(r)
    const modifies = r.rds.instances.modifyCount(INSTANCE)
    r.rds.instances.setApplyAfter(INSTANCE, 4_000)
    try {
      const cli = spawnCli(['rotate-db-password', ...conn(r), '--yes', '--no-restart'], r.env)
      await waitFor(async () => (await journal(r))?.step === 'db-change' && r.rds.instances.modifyCount(INSTANCE) > modifies, 'the modify')
      cli.kill('SIGKILL')
      await cli.done
      const resumed = await rotate(['--resume', '--yes', '--json'])
      expect(resumed.code, resumed.stdout).toBe(0)
      expect(json(resumed)).toMatchObject({ status: 'rotated', resumed: true })
      // waited for the pending change instead of sending another
      expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies + 1)
    } finally {
      r.rds.instances.setApplyAfter(INSTANCE, 300)
    }
    expect(await vaultOpensDatabase()).not.toBe(before.data.pg_password)
  })

  it('killed during the rolling restart: after the stale lock is released, --resume restarts the hosts and finishes', async () => {
    const stubs = r.bed.hosts.map((h) => stubRootOf(h.dataDir))
    for (const stub of stubs) writeFaults(stub, { slowMs: 700 })
    try {
      const cli = spawnCli(['rotate-db-password', ...conn(r), '--yes'], r.env)
      await waitFor(() => /\[host1\] restarting/.test(cli.stderr()), 'the restart')
      expect((await journal(r))?.step).toBe('propagate')
      cli.kill('SIGKILL')
      await cli.done
    } finally {
      for (const stub of stubs) clearFaults(stub)
    }
    // the killed run's restart goes on by itself on host1 (no terminal, so no SIGHUP): as an operator would,
    // let it end before resuming (the docker stand-in serialises its calls with a 30 s lock). The script may
    // die of SIGPIPE at its next write while the docker call it started still runs and holds that lock, so
    // both must be gone (a lock whose holder died is taken over by the next call).
    await waitFor(async () => !(await convergeRunning()) && !stubs.some(lockHeldByLiveProcess), 'the orphaned restart to end', 90_000)
    const password = kv(r).data.pg_password!
    const locked = await rotate(['--resume', '--yes'])
    expect(locked.code).toBe(3)
    const release = await runCli(['lock', 'release', ...conn(r), '--yes'], r.env)
    expect(release.code, release.stderr).toBe(0)
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed).restart.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed'])
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='${password}'`)
    expect(await vaultOpensDatabase()).toBe(password)
  })
})
