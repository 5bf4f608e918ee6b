// `authctl rotate-db-password` and `authctl rotate-secret-key` end to end through the built CLI: 3 real
// sshd hosts, the Vault test server, a real PostgreSQL and the RDS stand-in driven by the real AWS SDK.
// Happy paths, a fault at each step of the database rotation (each leaves Vault's password opening the
// database, or --resume completes it), a concurrent KV write, and a search for every secret in every output.
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { watchArgv, type ArgvWatch } from '../support/argv-watch.js'
import { clearFaults, lockHeldByLiveProcess, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { unfinishedRotations } from '../../src/plays/shared/rotation-journal.js'
import { asAdmin } from './support/db-bed.js'
import { allOutputs, runCli, spawnCli } from './support/cli.js'
import { allSecretValues, conn, CONFIG_KEY, DB_KEY, FIRST_KEY, FIRST_PASSWORD, INSTANCE, journal, journalFile, kv, logsIn, renderedEnv, runOnTerminal, startedAt, startRotationBed, type RotationBed } from './support/rotation-bed.js'
import { waitFor } from '../support/wait-for.js'

let r: RotationBed
let watch: ArgvWatch
let requestsBefore = 0
const rotate = (args: string[]) => runCli(['rotate-db-password', ...conn(r), ...args], r.env, 180_000)

interface DbJson {
  rotation: string
  status: string
  resumed: boolean
  method: string
  target: string
  via: string | null
  versions: { from: number; to: number | null; rollback: number | null }
  database: { newPasswordLogsIn: boolean | null; oldPasswordRefused: boolean | null }
  steps: { step: number; name: string; status: string; detail: string }[]
  owed: string[]
  restart: { mode: string; hosts: { host: string; status: string; restarted: string[] }[] }
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

beforeAll(async () => {
  r = await startRotationBed()
  // every command line on this machine (the CLI, ssh sessions, remote commands) for the final search
  watch = watchArgv([FIRST_PASSWORD, FIRST_KEY], 50)
}, 240_000)

afterAll(async () => {
  watch?.stop()
  await r?.stop()
})

beforeEach(() => {
  requestsBefore = r.vault.requests.length
  r.vault.faults.clear()
})

// A write by someone else, with the root token, over HTTP as any Vault client would.
async function vaultWrite(key: string, data: Record<string, string>): Promise<void> {
  const res = await fetch(`${r.vault.addr}/v1/secret/data/${key}`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken, 'Content-Type': 'application/json' }, body: JSON.stringify({ data }) })
  expect(res.status).toBe(200)
}

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
    const j = JSON.parse(run.stdout) as DbJson
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
    expect(before.data.pg_password).toBe(FIRST_PASSWORD)
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

// The database agrees with Vault's current password: the property every failure must keep (or --resume restore).
async function vaultOpensDatabase(): Promise<string> {
  const current = kv(r).data.pg_password!
  expect(await logsIn(r, current)).toBe(true)
  return current
}

const json = (run: { stdout: string }): DbJson => JSON.parse(run.stdout) as DbJson

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

describe('rotate-db-password: every host locked and read before Vault or the database changes', () => {
  const lockDir = (i: number) => join(r.bed.hosts[i]!.dataDir, 'authentik', 'authctl.lock')
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
    for (const i of [0, 2]) await expect(stat(lockDir(i))).rejects.toThrow(/ENOENT/)
  })

  it('one host locked by another run: nothing changes, exit 3, the lock holder is named and left in place', async () => {
    const before = kv(r)
    const { mkdir, rm, writeFile } = await import('node:fs/promises')
    await mkdir(lockDir(2), { recursive: true })
    await writeFile(join(lockDir(2), 'details.json'), JSON.stringify({ who: 'ci@runner', pid: 4242, command: 'authctl setup' }) + '\n')
    let run
    try {
      run = await rotate(['--yes', '--json', '--method', 'sql'])
      expect(await stat(lockDir(2))).toBeTruthy()
    } finally {
      await rm(lockDir(2), { recursive: true, force: true })
    }
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

// Whether any host of any bed still runs authctl's restart script (a run was killed mid-restart).
async function convergeRunning(): Promise<boolean> {
  const { readdir, readFile } = await import('node:fs/promises')
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmd.includes('authctl-converge')) return true
  }
  return false
}

describe('authctl rotate-secret-key', () => {
  const rotateKey = (args: string[]) => runCli(['rotate-secret-key', ...conn(r), ...args], r.env, 180_000)

  it('without a terminal and without --yes refuses with exit 5 before reading anything', async () => {
    const run = await rotateKey([])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('authctl rotate-secret-key changes production state and needs --yes')
    expect(r.vault.requests.length).toBe(requestsBefore)
  })

  it('on a terminal it shows the plan with the logout warning and asks; "n" changes nothing (exit 5)', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await runOnTerminal(r, ['rotate-secret-key', ...conn(r)], 'n')
    expect(run.asked).toBe(true)
    expect(run.code).toBe(5)
    expect(run.output).toContain(`2. patch secret_key as version ${before.version + 1} (check-and-set on ${before.version})`)
    expect(run.output).toContain('3. restart host1, host2, host3 all at once (HA instances must share the key)')
    expect(run.output).toContain('Warning: every user is logged out')
    expect(run.output).toContain('not confirmed: nothing was changed')
    expect(kv(r, CONFIG_KEY)).toMatchObject({ version: before.version, data: before.data })
  })

  it('patches a new 64-character key as the next version, restarts every host at once, every .env carries it, and warns that users are logged out', async () => {
    const before = kv(r, CONFIG_KEY)
    // slow docker calls make each host's restart last long enough that "at once" shows as overlap
    const stubs = r.bed.hosts.map((h) => stubRootOf(h.dataDir))
    for (const stub of stubs) writeFaults(stub, { slowMs: 300 })
    const run = await rotateKey(['--yes']).finally(() => stubs.forEach(clearFaults))
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toContain(`ROTATE SECRET KEY: rotated  secret/${CONFIG_KEY} version ${before.version} → ${before.version + 1}`)
    expect(run.stdout).toContain('warning: every user is logged out: sessions signed with the previous key are no longer valid')
    expect(run.stdout).toMatch(/host3\s+restarted\s+restarted=vault-agent,server,worker healthy=yes/)
    const after = kv(r, CONFIG_KEY)
    expect(after.version).toBe(before.version + 1)
    expect(after.data.secret_key).toMatch(/^[A-Za-z0-9]{64}$/)
    expect(r.vault.requests.slice(requestsBefore).filter((q) => q.path === `/v1/secret/data/${CONFIG_KEY}` && q.method !== 'GET').map((q) => [q.method, q.headers['content-type']])).toEqual([['PATCH', 'application/merge-patch+json']])
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${after.data.secret_key}'`)
    // all at once: every host's agent restarted before any host's worker did
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    const workers = [0, 1, 2].map((i) => startedAt(r, i, 'worker'))
    expect(agents.every((a) => workers.every((w) => a < w))).toBe(true)
  })

  it('a concurrent change makes the check-and-set fail: exit 6, nothing changed, no host restarted', async () => {
    const before = kv(r, CONFIG_KEY)
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    r.vault.faults.delay(`secret/data/${CONFIG_KEY}`, 1_000, { method: 'PATCH', count: 1 })
    const cli = spawnCli(['rotate-secret-key', ...conn(r), '--yes', '--json'], r.env)
    await waitFor(() => r.vault.requests.slice(requestsBefore).some((q) => q.method === 'PATCH' && q.path === `/v1/secret/data/${CONFIG_KEY}`), 'the patch')
    await vaultWrite(CONFIG_KEY, before.data)
    const run = await cli.done
    expect(run.code).toBe(6)
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'VaultError', message: `secret/${CONFIG_KEY} changed after it was read at version ${before.version} (check-and-set failed): nothing was changed`, exitCode: 6 } })
    expect(kv(r, CONFIG_KEY).data).toEqual(before.data)
    expect([0, 1, 2].map((i) => startedAt(r, i))).toEqual(agents)
  })
})

describe('rotate-secret-key: one transaction, journaled on the bastion and in Vault', () => {
  const rotateKey = (args: string[], env = r.env) => runCli(['rotate-secret-key', ...conn(r), ...args], env, 180_000)

  it('one host unreachable: Vault keeps the key, no host restarts, exit 4, and the hint names --max-fail 1 and --resume', async () => {
    const before = kv(r, CONFIG_KEY)
    const agents = [0, 2].map((i) => startedAt(r, i))
    await r.bed.stopHost('host3')
    let run
    try {
      run = await rotateKey(['--yes', '--json'])
    } finally {
      await r.bed.startHost('host3')
    }
    expect(run.code, run.stdout + run.stderr).toBe(4)
    const j = JSON.parse(run.stdout) as { status: string; error?: { message: string; hint?: string } }
    expect(j.status).toBe('aborted')
    expect(j.error?.message).toMatch(/host3 unreachable/)
    expect(j.error?.hint).toContain('authctl rotate-secret-key --max-fail 1')
    expect(kv(r, CONFIG_KEY)).toMatchObject({ version: before.version, data: before.data })
    expect([0, 2].map((i) => startedAt(r, i))).toEqual(agents)
  })

  it('killed after the Vault write: another bastion sees it (status, setup), and --resume there restarts every host at once', async () => {
    const before = kv(r, CONFIG_KEY)
    r.vault.faults.delay(`secret/data/${CONFIG_KEY}`, 1_500, { method: 'PATCH', count: 1 })
    const cli = spawnCli(['rotate-secret-key', ...conn(r), '--yes'], r.env)
    const file = join(r.home, '.local/state/authctl/rotations/rotate-secret-key.json')
    await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')).includes('"step": "vault-write"') && r.vault.requests.slice(requestsBefore).some((q) => q.method === 'PATCH' && q.path === `/v1/secret/data/${CONFIG_KEY}`), 'the journaled patch')
    cli.kill('SIGKILL')
    await cli.done
    await waitFor(() => kv(r, CONFIG_KEY).version === before.version + 1, 'the patch to land')
    const written = kv(r, CONFIG_KEY).data.secret_key!
    // the record beside the secret, as any Vault client reads it: names, steps and versions, no value
    const meta = r.vault.state.kv.get(CONFIG_KEY)
    const record = Object.entries(meta?.customMetadata ?? {}).filter(([k]) => k.startsWith('authctl-rotation.')).map(([, v]) => v).join('')
    expect(JSON.parse(record)).toMatchObject({ kind: 'rotate-secret-key', step: 'vault-write', fromVersion: before.version, toVersion: null })
    expect(record).not.toContain(written)

    const other = { ...r.env, HOME: await mkdtemp(join(tmpdir(), 'authctl-bastion-b-')) }
    const status = await runCli(['status', ...conn(r)], other)
    expect(status.code).toBe(2)
    expect(status.stdout).toContain('unfinished rotation: rotate-secret-key started')
    expect(status.stdout).toContain('finish it with: authctl rotate-secret-key --resume')
    // the killed run still holds the locks (it died with them): the operator clears them, as the hint says
    const locked = await rotateKey(['--resume', '--yes'], other)
    expect(locked.code, locked.stderr).toBe(3)
    expect((await runCli(['lock', 'release', ...conn(r), '--yes'], other)).code).toBe(0)
    const setup = await runCli(['setup', ...conn(r), '--check'], other)
    expect(setup.stderr).toContain('Warning: unfinished rotation: rotate-secret-key started')
    const resumed = await rotateKey(['--resume', '--yes', '--json'], other)
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1 }, owed: [] })
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${written}'`)
    // the first bastion learns from Vault that it is finished
    const back = await runCli(['status', ...conn(r)], r.env)
    expect(back.stdout).not.toContain('unfinished rotation')
  })
})

describe('secrets never leak', () => {
  it('no password or key in any output, --json, journal, audit line, bastion file, host log, remote command line or process argv', async () => {
    const secrets = allSecretValues(r)
    expect(secrets).toContain(FIRST_PASSWORD)
    expect(secrets).toContain(FIRST_KEY)
    expect(secrets.length).toBeGreaterThan(12)
    const files = await readdir(r.home, { recursive: true, withFileTypes: true })
    const bastion = (await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')))).join('\n')
    // the search means something: the journal and the audit lines are there
    expect(bastion).toContain('"kind": "rotate-db-password"')
    expect(bastion).toContain('"rotation":"db-password"')
    expect(bastion).toContain('"rotation":"secret-key"')
    const hosts = (await Promise.all(r.bed.hosts.flatMap((h) => [readFile(h.commandLog, 'utf8'), readFile(join(h.dataDir, 'authentik', 'authctl-audit.log'), 'utf8')]))).join('\n')
    expect(hosts).toContain('authctl rotate-db-password')
    watch.stop()
    const argv = [...watch.seen()].join('\n')
    expect(argv).toContain('rotate-db-password')
    // a positive control: the needles are in the form the hosts render them
    expect(await renderedEnv(r, 0)).toContain(kv(r).data.pg_password)
    const places = { outputs: allOutputs.join('\n'), bastion, hosts, argv, rds: JSON.stringify(r.rds.requests), postgres: r.postgres.serverLog() }
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `a secret in ${where}`).toBe(false)
    }
  })
})
