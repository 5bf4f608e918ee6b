// The fault matrix (issue 16), rotate-db-password's rows: --method rds and sql × {one host unreachable, one host
// locked, Vault 503 on the write, the database unreachable, SIGKILL after the Vault write, the connection cut
// during the restart}, on a bed of its own (test/integration/support/fault-matrix.ts: the bed and the end-state
// checks). Cases test/integration/rotate-db-password*.test.ts already proves the same way are named, not repeated.
import { describe, expect, it } from 'vitest'
import { clearFaults, lockHeldByLiveProcess, writeFaults } from '../support/docker-stub/state.mjs'
import { waitFor } from '../support/wait-for.js'
import { spawnCli, type CliRun } from './support/cli.js'
import { conn, DB_KEY, INSTANCE, json, kv, logsIn } from './support/rotation-bed.js'
import { cli, cutDuringRestart, dbAgrees, FAST, HOSTS, r, stub, useFaultMatrixBed, VAULT_503, withForeignLock, withHostDown } from './support/fault-matrix.js'

useFaultMatrixBed()

// Already proven in rotate-db-password*.test.ts, the same way (not repeated here):
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
      expect(json(run).status).toBe('aborted')
      expect(kv(r).version).toBe(before.version)
      expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
      await dbAgrees()
      const owed = await withHostDown(2, () => rotate('--max-fail', '1'))
      expect(owed.code, owed.stdout + owed.stderr).toBe(4)
      expect(json(owed)).toMatchObject({ status: 'unfinished', owed: ['host3'] })
      const resumed = await rotate('--resume')
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      expect(kv(r).version).toBe(before.version + 1)
      await dbAgrees(before.data.pg_password)
    })

    it('one host locked by another run: aborted before any change, exit 3, the lock left to its holder', async () => {
      const before = kv(r)
      const run = await withForeignLock(0, () => rotate())
      expect(run.code, run.stdout + run.stderr).toBe(3)
      expect(json(run).error?.message).toContain('ci@runner')
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
    expect(json(run).error?.hint).toContain('--resume')
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
    expect(json(run)).toMatchObject({ status: 'unfinished', owed: ['host2', 'host3'] })
    expect(kv(r).version).toBe(before.version + 1)
    const resumed = await rotate('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    await dbAgrees(before.data.pg_password)
  })
})
