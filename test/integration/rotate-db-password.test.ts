// `authctl rotate-db-password` end to end through the built CLI, on a rotation bed of its own
// (test/integration/support/rotations.ts): the happy paths through RDS and SQL, the confirmation, a concurrent
// KV write, and a fault at each step of the rotation (each leaves Vault's password opening the database, or
// --resume completes it). Each test starts from whatever version the bed holds; after the last one, every
// output is searched for every secret.
import { stat } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { clearFaults, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { unfinishedRotations } from '../../src/plays/shared/rotation-journal.js'
import { asAdmin } from './support/db-bed.js'
import { spawnCli } from './support/cli.js'
import { conn, DB_KEY, INSTANCE, journal, journalFile, json, kv, logsIn, renderedEnv, runOnTerminal, startedAt } from './support/rotation-bed.js'
import { waitFor } from '../support/wait-for.js'
import { r, requestsBefore, rotate, useRotationsBed, vaultOpensDatabase, vaultWrite } from './support/rotations.js'

useRotationsBed('rotate-db-password')

describe('authctl rotate-db-password', () => {
  it('without a terminal and without --yes refuses with exit 5 before reading anything', async () => {
    const before = r.vault.requests.length
    const run = await rotate([])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('authctl rotate-db-password changes production state and needs --yes')
    expect(r.vault.requests.length).toBe(before)
  })

  it.each([
    [['--length', '8'], 'Expected an integer greater than or equal to 16'],
    [['--method', 'iam'], 'Expected --method=iam to be one of: rds, sql'],
    [['--via', 'nohost'], '--via nohost is not a host of'],
    [['--serial', 'half'], '--serial: "half" is not a number of hosts or a percentage'],
    [['--apply-timeout', 'soon'], '--apply-timeout: "soon" is not a duration'],
  ])('bad input %j is a usage error (exit 5) before Vault is asked', async (args, message) => {
    const run = await rotate([...args, '--yes'])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain(message)
    expect(r.vault.requests.length).toBe(requestsBefore)
  })

  it('rotates through RDS: version v+1 in Vault, the database takes the new password and refuses the old, every host renders it', async () => {
    const before = kv(r)
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    const run = await rotate(['--yes', '--json', '--apply-timeout', '60s'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stderr).not.toContain('NodeVersionSupportWarning')
    const j = json(run)
    expect(Object.keys(j).sort()).toEqual(['database', 'exitCode', 'journal', 'method', 'owed', 'path', 'restart', 'resumed', 'rotation', 'status', 'steps', 'target', 'versions', 'via', 'warnings'])
    expect(j).toMatchObject({ rotation: 'db-password', status: 'rotated', resumed: false, method: 'rds', via: null, exitCode: 0, path: `secret/${DB_KEY}`, warnings: [] })
    expect(j.target).toBe(`RDS instance cwiq-shared-authentik-postgres (master user authentik)`)
    expect(j.versions).toEqual({ from: before.version, to: before.version + 1, rollback: null })
    expect(j.database).toEqual({ newPasswordLogsIn: true, oldPasswordRefused: true })
    expect(j.steps.map((s) => [s.step, s.status])).toEqual([[1, 'done'], [2, 'done'], [3, 'done'], [4, 'done'], [5, 'done'], [6, 'done'], [7, 'not needed']])
    expect(j.restart.hosts.map((h) => [h.host, h.status])).toEqual([['host1', 'changed'], ['host2', 'changed'], ['host3', 'changed']])
    const after = kv(r)
    expect(after.version).toBe(before.version + 1)
    expect(after.data.pg_password).toMatch(/^[A-Za-z0-9]{32}$/)
    expect({ ...after.data, pg_password: 'x' }).toEqual({ ...before.data, pg_password: 'x' })
    expect(await logsIn(r, after.data.pg_password!)).toBe(true)
    expect(await logsIn(r, before.data.pg_password!)).toBe(false)
    for (const i of [0, 1, 2]) {
      expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='${after.data.pg_password}'`)
      expect(startedAt(r, i) > agents[i]!).toBe(true)
    }
    // rolling: host2's agent started after host1's worker was back
    expect(startedAt(r, 1) > startedAt(r, 0, 'worker')).toBe(true)
    expect(r.rds.requests.filter((q) => q.action === 'ModifyDBInstance').at(-1)).toMatchObject({ status: 200, params: { MasterUserPassword: '****', ApplyImmediately: 'true' } })
    expect(await journal(r)).toMatchObject({ step: 'done', fromVersion: before.version, toVersion: before.version + 1, hosts: { host1: 'changed', host2: 'changed', host3: 'changed' } })
    expect((await stat(journalFile(r))).mode & 0o777).toBe(0o600)
  })

  it('--method sql --via host2 --no-restart: ALTER ROLE through the tunnel, no host restarted, and it says what that means', async () => {
    const before = kv(r)
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    const modifies = r.rds.instances.modifyCount(INSTANCE)
    const run = await rotate(['--method', 'sql', '--via', 'host2', '--no-restart', '--length', '40', '--yes'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toContain(`ROTATE DB PASSWORD: rotated  secret/${DB_KEY} version ${before.version} → ${before.version + 1}`)
    expect(run.stdout).toMatch(/PostgreSQL role authentik at authentik@127\.0\.0\.1:\d+\/authentik via host2\n/)
    expect(run.stdout).toMatch(/4\. change in the database\s+done\s+ALTER ROLE authentik: committed/)
    expect(run.stdout).toMatch(/6\. propagate\s+skipped/)
    expect(run.stdout).toContain('server and worker read .env only when they start. Their open database connections keep working; every new connection they open uses the previous password')
    const after = kv(r)
    expect(after.data.pg_password).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(await logsIn(r, after.data.pg_password!)).toBe(true)
    expect(await logsIn(r, before.data.pg_password!)).toBe(false)
    expect([0, 1, 2].map((i) => startedAt(r, i))).toEqual(agents)
    expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
    // the verifier travels, not the password: the server stored SCRAM
    expect(await asAdmin(r.postgres, async (c) => (await c.query<{ p: string }>("SELECT rolpassword AS p FROM pg_authid WHERE rolname = 'authentik'")).rows[0]?.p)).toMatch(/^SCRAM-SHA-256\$/)
  })

  it('on a terminal it shows the seven steps and asks; "y" goes ahead', async () => {
    const before = kv(r)
    const run = await runOnTerminal(r, ['rotate-db-password', ...conn(r), '--method', 'sql', '--no-restart'], 'y')
    expect(run.asked).toBe(true)
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(`Rotate the database password in secret/${DB_KEY} (now version ${before.version}):`)
    expect(run.output).toContain(`3. write it as version ${before.version + 1} (check-and-set on ${before.version})`)
    expect(run.output).toContain(`7. on a failure in 4 or 5: write version ${before.version}'s data back as a new version`)
    expect(run.output).toContain('ROTATE DB PASSWORD: rotated')
    expect(kv(r).version).toBe(before.version + 1)
  })

  it('a concurrent KV write makes the check-and-set fail: exit 6 and nothing changed', async () => {
    const before = kv(r)
    const modifies = r.rds.instances.modifyCount(INSTANCE)
    r.vault.faults.delay(`secret/data/${DB_KEY}`, 1_500, { method: 'POST', count: 1 })
    const cli = spawnCli(['rotate-db-password', ...conn(r), '--yes', '--no-restart'], r.env)
    await waitFor(() => r.vault.requests.some((q) => q.method === 'POST' && q.path === `/v1/secret/data/${DB_KEY}` && q.headers['x-vault-token'] === r.operatorToken && r.vault.requests.indexOf(q) >= requestsBefore), 'the rotation\'s write')
    // someone else writes the same secret meanwhile (the same values: only the version moves)
    await vaultWrite(DB_KEY, before.data)
    const run = await cli.done
    expect(run.code, run.stderr).toBe(6)
    expect(run.stderr).toContain(`Error: secret/${DB_KEY} changed after it was read at version ${before.version} (check-and-set failed): nothing was changed`)
    expect(kv(r).version).toBe(before.version + 1)
    expect(kv(r).data).toEqual(before.data)
    expect(await logsIn(r, before.data.pg_password!)).toBe(true)
    expect(r.rds.instances.modifyCount(INSTANCE)).toBe(modifies)
    expect((await journal(r))?.step).toBe('aborted')
  })
})

describe('rotate-db-password: a failure at each step', () => {
  it('step 1: PostgreSQL down: exit 7 before anything changes', async () => {
    const before = kv(r)
    await r.postgres.down()
    try {
      const run = await rotate(['--yes', '--no-restart'])
      expect(run.code).toBe(7)
      expect(run.stderr).toMatch(/Error: cannot log in as authentik@127\.0\.0\.1:\d+\/authentik: .*ECONNREFUSED/)
    } finally {
      await r.postgres.up()
    }
    expect(kv(r).version).toBe(before.version)
    await vaultOpensDatabase()
  })

  it('step 3: the write\'s answer is lost: exit 6, the journal says so, status lists it, and --resume starts again', async () => {
    const before = kv(r)
    r.vault.faults.dropNext(`secret/data/${DB_KEY}`, { method: 'POST' })
    const run = await rotate(['--yes', '--no-restart'])
    expect(run.code).toBe(6)
    expect(run.stderr).toContain(`whether version ${before.version + 1} was written is unknown`)
    expect(run.stderr).toContain('Run authctl rotate-db-password --resume once Vault answers')
    expect(await journal(r)).toMatchObject({ step: 'vault-write', fromVersion: before.version, toVersion: null })
    expect(await unfinishedRotations(r.env)).toEqual([expect.objectContaining({ kind: 'rotate-db-password', step: 'vault-write', fromVersion: before.version, resume: 'authctl rotate-db-password --resume' })])
    const refused = await rotate(['--yes', '--no-restart'])
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('Error: an earlier rotation is unfinished')
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1 }, restart: { mode: 'skipped' } })
    expect(await vaultOpensDatabase()).not.toBe(before.data.pg_password)
    expect(await unfinishedRotations(r.env)).toEqual([])
  })

  it('step 4: RDS refuses the modify: Vault is rolled back (v\'s data as a new version) and says so, exit 7', async () => {
    const before = kv(r)
    r.rds.instances.setFaults(INSTANCE, { failModify: true })
    try {
      const run = await rotate(['--yes', '--json'])
      expect(run.code).toBe(7)
      const j = json(run)
      expect(j).toMatchObject({ status: 'rolled-back', versions: { from: before.version, to: before.version + 1, rollback: before.version + 2 }, owed: [] })
      // every host was locked before the change and released unrestarted
      expect(j.restart.hosts.map((h) => [h.host, h.status])).toEqual([['host1', 'skipped'], ['host2', 'skipped'], ['host3', 'skipped']])
      expect(j.steps.find((x) => x.step === 4)).toMatchObject({ status: 'failed', detail: expect.stringContaining('cannot be modified in its current state') })
      expect(j.steps.find((x) => x.step === 7)).toMatchObject({ status: 'done', detail: `wrote version ${before.version}'s data back as version ${before.version + 2}: Vault holds the previous password again; the database accepts it` })
      expect(j.error?.message).toContain(`Vault was rolled back: version ${before.version + 2} holds the previous password again`)
    } finally {
      r.rds.instances.setFaults(INSTANCE, {})
    }
    expect(kv(r).version).toBe(before.version + 2)
    expect(kv(r).data).toEqual(before.data)
    await vaultOpensDatabase()
    expect((await journal(r))?.step).toBe('rolled-back')
  })

  it('step 4: ModifyDBInstance taken but its answer lost: not rolled back; RDS is seen applying it and the rotation finishes', async () => {
    const before = kv(r)
    r.rds.failNext({ action: 'ModifyDBInstance', kind: 'cut', afterProcessing: true })
    const run = await rotate(['--yes', '--json', '--no-restart']).finally(() => r.rds.clearFaults())
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(json(run)).toMatchObject({ status: 'rotated', versions: { from: before.version, to: before.version + 1, rollback: null } })
    expect(kv(r).version).toBe(before.version + 1)
    expect(await vaultOpensDatabase()).not.toBe(before.data.pg_password)
    expect(await logsIn(r, before.data.pg_password!)).toBe(false)
  })

  it('step 4: RDS answers 500 after taking the change, then stops answering: Vault is not rolled back, the journal says --resume; --resume finishes', async () => {
    const before = kv(r)
    r.rds.failNext({ action: 'ModifyDBInstance', kind: 'internal-error', afterProcessing: true })
    // from the modify on, every describe fails too
    r.rds.instances.setHooks(INSTANCE, { onModify: async () => r.rds.failNext({ action: 'DescribeDBInstances', kind: 'internal-error', count: 1_000 }) })
    let run
    try {
      run = await rotate(['--yes', '--json', '--no-restart', '--apply-timeout', '3s'])
    } finally {
      r.rds.instances.setHooks(INSTANCE, {})
      r.rds.clearFaults()
    }
    expect(run.code, run.stdout + run.stderr).toBe(7)
    const j = json(run)
    expect(j).toMatchObject({ status: 'unfinished', versions: { from: before.version, to: before.version + 1, rollback: null } })
    expect(j.steps.find((x) => x.step === 4)).toMatchObject({ status: 'failed', detail: expect.stringContaining('whether RDS took the change could not be told within 3 s') })
    expect(j.steps.find((x) => x.step === 7)).toBeUndefined()
    expect(j.error?.message).toContain('whether RDS is still applying a change is unknown')
    expect(j.error?.hint).toContain('Run authctl rotate-db-password --resume once RDS and the database answer')
    // Vault keeps the new password: RDS may apply it
    expect(kv(r).version).toBe(before.version + 1)
    expect(kv(r).data.pg_password).not.toBe(before.data.pg_password)
    expect(await journal(r)).toMatchObject({ step: 'db-change', toVersion: before.version + 1, rollbackVersion: null })
    expect(await unfinishedRotations(r.env)).toEqual([expect.objectContaining({ kind: 'rotate-db-password', step: 'db-change', resume: 'authctl rotate-db-password --resume' })])
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1, rollback: null } })
    expect(await vaultOpensDatabase()).toBe(kv(r).at(before.version + 1)?.pg_password)
    expect(await logsIn(r, before.data.pg_password!)).toBe(false)
  })

  it('step 4: PostgreSQL goes down after the Vault write (--method sql): nothing reached it, Vault is rolled back', async () => {
    const before = kv(r)
    r.vault.faults.delay(`secret/data/${DB_KEY}`, 2_000, { method: 'POST', count: 1 })
    const cli = spawnCli(['rotate-db-password', ...conn(r), '--method', 'sql', '--yes', '--no-restart'], r.env)
    await waitFor(() => r.vault.requests.slice(requestsBefore).some((q) => q.method === 'POST'), 'the rotation\'s write')
    await r.postgres.down()
    const run = await cli.done
    await r.postgres.up()
    expect(run.code).toBe(7)
    expect(run.stdout).toMatch(/ROTATE DB PASSWORD: rolled-back/)
    expect(run.stdout).toMatch(/7\. roll back Vault\s+done\s+wrote version \d+'s data back as version \d+: Vault holds the previous password again; the database could not be asked to confirm it/)
    expect(kv(r).version).toBe(before.version + 2)
    expect(kv(r).data).toEqual(before.data)
    await vaultOpensDatabase()
  })

  it('step 4: PostgreSQL down while RDS applies: left unfinished (RDS may still apply it); --resume completes it', async () => {
    const before = kv(r)
    r.rds.instances.setHooks(INSTANCE, { onModify: () => r.postgres.down() })
    const run = await rotate(['--yes', '--json', '--no-restart'])
    r.rds.instances.setHooks(INSTANCE, {})
    await r.postgres.up()
    expect(run.code).toBe(7)
    expect(json(run)).toMatchObject({ status: 'unfinished', versions: { to: before.version + 1, rollback: null } })
    expect(json(run).error?.hint).toContain('Run authctl rotate-db-password --resume once RDS and the database answer')
    expect(kv(r).version).toBe(before.version + 1)
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1 } })
    expect(await vaultOpensDatabase()).not.toBe(before.data.pg_password)
    expect(await logsIn(r, before.data.pg_password!)).toBe(false)
  })

  it('step 5: PostgreSQL down right after RDS applied: the login cannot be checked, left unfinished; --resume verifies and finishes', async () => {
    const before = kv(r)
    r.rds.instances.setHooks(INSTANCE, { onApplied: () => r.postgres.down() })
    const run = await rotate(['--yes', '--json', '--no-restart'])
    r.rds.instances.setHooks(INSTANCE, {})
    await r.postgres.up()
    expect(run.code).toBe(7)
    const j = json(run)
    expect(j.steps.filter((x) => x.status !== 'done').map((x) => [x.step, x.status])).toEqual([[5, 'failed']])
    expect(j.status).toBe('unfinished')
    expect((await journal(r))?.step).toBe('db-verify')
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', database: { newPasswordLogsIn: true, oldPasswordRefused: true } })
    expect(await vaultOpensDatabase()).not.toBe(before.data.pg_password)
  })

  it('step 6: a host does not come back healthy: exit 2, unfinished; --resume restarts only that host', async () => {
    const stub = stubRootOf(r.bed.hosts[2]!.dataDir)
    writeFaults(stub, { unhealthy: ['server'] })
    let run
    try {
      run = await rotate(['--yes', '--json', '--timeout', '5s'])
    } finally {
      clearFaults(stub)
    }
    expect(run.code).toBe(2)
    expect(json(run)).toMatchObject({ status: 'unfinished', restart: { hosts: [{ host: 'host1', status: 'changed' }, { host: 'host2', status: 'changed' }, { host: 'host3', status: 'failed' }] } })
    expect(json(run).error?.hint).toContain('it restarts only host3')
    expect(json(run).owed).toEqual(['host3'])
    expect(await journal(r)).toMatchObject({ step: 'propagate', hosts: { host1: 'changed', host2: 'changed', host3: 'failed' } })
    const password = await vaultOpensDatabase()
    const agents = [0, 1].map((i) => startedAt(r, i))
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed).restart.hosts.map((h) => [h.host, h.status])).toEqual([['host3', 'changed']])
    expect([0, 1].map((i) => startedAt(r, i))).toEqual(agents)
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='${password}'`)
  })

  it('step 7: the rollback itself fails: exit 6, Vault still holds the new password; --resume changes the database to it', async () => {
    const before = kv(r)
    r.rds.instances.setFaults(INSTANCE, { failModify: true })
    // the rotation's second write (the rollback) gets a 500
    r.rds.instances.setHooks(INSTANCE, { onModify: async () => r.vault.faults.failNext(`secret/data/${DB_KEY}`, { status: 500, method: 'POST' }) })
    const run = await rotate(['--yes', '--json', '--no-restart'])
    r.rds.instances.setFaults(INSTANCE, {})
    r.rds.instances.setHooks(INSTANCE, {})
    expect(run.code).toBe(6)
    expect(json(run)).toMatchObject({ status: 'unfinished', versions: { to: before.version + 1, rollback: null } })
    expect(json(run).steps.find((x) => x.step === 7)?.status).toBe('failed')
    expect(json(run).error?.message).toContain(`Vault version ${before.version + 1} holds a password the database does not accept`)
    expect((await journal(r))?.step).toBe('rollback')
    const resumed = await rotate(['--resume', '--yes', '--json'])
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(json(resumed)).toMatchObject({ status: 'rotated', versions: { to: before.version + 1 } })
    expect(await vaultOpensDatabase()).toBe(kv(r).at(before.version + 1)?.pg_password)
  })
})
