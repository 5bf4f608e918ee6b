// The new database password never leaves its Secret: plant a sentinel as the new password, run every
// path and fault of the database layer, and search every error, output line, process argv (as `ps`
// shows it), the PostgreSQL server log, the bed host's command log and the RDS stand-in's request log.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { inspect } from 'node:util'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { DbEndpoint, DbLogin } from '../../src/db/db-types.js'
import { checkLogin, verifyLogin } from '../../src/db/login-check.js'
import { RdsPasswordChanger } from '../../src/db/rds-changer.js'
import { SqlPasswordChanger } from '../../src/db/sql-changer.js'
import { viaHost } from '../../src/db/ssh-via.js'
import { Secret } from '../../src/util/secret.js'
import { watchArgv } from '../support/argv-watch.js'
import { awsTestEnv, setEnv } from '../support/rds-server/aws-env.js'
import { startRdsServer, type RdsServer } from '../support/rds-server/index.js'
import { asAdmin, createRole, startDbBed, type DbBed } from './support/db-bed.js'

const SENTINEL = `SENTINELpw${randomBytes(12).toString('hex')}`
const sentinel = new Secret(SENTINEL)
const KEY = { accessKeyId: 'AKIASTANDIN00000003', secretAccessKey: randomBytes(30).toString('base64') }
let dbBed: DbBed
let current: DbLogin
let rds: RdsServer
let restoreEnv: () => void
const errors: unknown[] = []
const written: string[] = []

// Every way an error could be shown: message, hint, stack, causes, inspect and JSON.
function rendered(error: unknown): string {
  const e = error as { message?: string; hint?: string; stack?: string; cause?: unknown }
  return [String(error), e.message, e.hint, e.stack, inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), e.cause === undefined ? '' : rendered(e.cause)].join('\n')
}

const attempt = async (work: () => Promise<unknown>): Promise<void> => {
  await work().catch((error: unknown) => void errors.push(error))
}

beforeAll(async () => {
  dbBed = await startDbBed()
  const { postgres } = dbBed
  current = await createRole(dbBed.postgres, 'authentik', new Secret(randomBytes(12).toString('hex')))
  // Make the server log every statement of these roles' sessions, so the search below means something.
  await asAdmin(postgres, (c) => c.query('ALTER ROLE authentik SET log_statement = \'all\''))
  rds = await startRdsServer({ keys: [KEY] })
  const instance = { masterUsername: 'authentik', address: postgres.host, port: postgres.port, admin: { connectionString: postgres.connectionString }, applyAfterMs: 200 }
  rds.instances.add({ id: 'db-ok', ...instance })
  rds.instances.add({ id: 'db-busy', ...instance, faults: { failModify: true } })
  rds.instances.add({ id: 'db-stuck', ...instance, faults: { stuck: true } })
  rds.instances.add({ id: 'db-managed', ...instance, faults: { managedPassword: true } })
  restoreEnv = setEnv(await awsTestEnv(rds.url, [{ name: 'ops', key: KEY, region: 'us-west-2' }]))
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream)
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk))
      return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
    })
  }
})

afterAll(async () => {
  vi.restoreAllMocks()
  restoreEnv?.()
  await rds?.stop()
  await dbBed?.stop()
})

it('the sentinel password appears in no error, output, argv, server log, host log or stand-in log', async () => {
  const { postgres, remote } = dbBed
  const watch = watchArgv([SENTINEL])
  const endpoint: DbEndpoint = { host: postgres.host, port: postgres.port, database: 'postgres', sslMode: 'disable', via: viaHost(remote) }
  // SQL path through the tunnel: change to the sentinel, log in with it, the old one refused.
  await new SqlPasswordChanger({ endpoint, login: current }).changePassword(sentinel)
  expect((await verifyLogin(endpoint, { user: 'authentik', password: sentinel })).user).toBe('authentik')
  expect((await checkLogin(endpoint, current)).ok).toBe(false)
  // Faults with the sentinel in hand: it as a wrong password, a refused ALTER, no route, no privilege.
  await attempt(() => verifyLogin({ ...endpoint, via: undefined }, { user: 'nobody', password: sentinel }))
  await attempt(() => verifyLogin({ ...endpoint, port: 9 }, { user: 'authentik', password: sentinel }))
  await attempt(() => new SqlPasswordChanger({ endpoint, login: { user: 'authentik', password: sentinel }, role: 'postgres_missing' }).changePassword(sentinel))
  await attempt(() => new SqlPasswordChanger({ endpoint, login: { user: 'authentik', password: sentinel }, role: postgres.user }).changePassword(sentinel))
  await attempt(() => new SqlPasswordChanger({ endpoint: { ...endpoint, sslMode: 'require' }, login: { user: 'authentik', password: sentinel } }).changePassword(sentinel))

  // RDS path: the sentinel through the real SDK, then every fault.
  const ok = new RdsPasswordChanger({ instanceId: 'db-ok', profile: 'ops' })
  await ok.changePassword(new Secret(`${SENTINEL}2`))
  await ok.waitApplied({ intervalMs: 50, timeoutMs: 10_000 })
  expect((await verifyLogin(endpoint, { user: 'authentik', password: new Secret(`${SENTINEL}2`) })).user).toBe('authentik')
  await attempt(() => new RdsPasswordChanger({ instanceId: 'db-busy', profile: 'ops' }).changePassword(sentinel))
  await attempt(() => new RdsPasswordChanger({ instanceId: 'db-managed', profile: 'ops' }).changePassword(sentinel))
  await attempt(() => new RdsPasswordChanger({ instanceId: 'db-missing', profile: 'ops' }).changePassword(sentinel))
  await attempt(() => new RdsPasswordChanger({ instanceId: 'db-ok', profile: 'ops' }).changePassword(new Secret(`${SENTINEL}@bad`)))
  const stuck = new RdsPasswordChanger({ instanceId: 'db-stuck', profile: 'ops' })
  await stuck.changePassword(sentinel)
  await attempt(() => stuck.waitApplied({ intervalMs: 50, timeoutMs: 300 }))
  await attempt(() => new RdsPasswordChanger({ instanceId: 'db-ok', profile: 'no-such-profile' }).changePassword(sentinel))

  const hits = watch.stop()
  expect(errors).toHaveLength(11)
  for (const error of errors) expect(rendered(error)).not.toContain('SENTINELpw')
  expect(written.join('')).not.toContain('SENTINELpw')
  expect(watch.samples()).toBeGreaterThan(3)
  expect([...watch.seen()].some((line) => line.includes('postgres'))).toBe(true)
  expect(hits).toEqual([])
  expect(postgres.serverLog()).toMatch(/statement: BEGIN; SET LOCAL lock_timeout = \d+; SET LOCAL statement_timeout = \d+; ALTER ROLE "authentik" PASSWORD 'SCRAM-SHA-256\$/)
  expect(postgres.serverLog()).not.toContain('SENTINELpw')
  expect(await readFile(dbBed.bed.hosts[0]!.commandLog, 'utf8').catch(() => '')).not.toContain('SENTINELpw')
  expect(JSON.stringify(rds.requests)).not.toContain('SENTINELpw')
  expect(rds.requests.some((r) => r.action === 'ModifyDBInstance' && r.params.MasterUserPassword === '****')).toBe(true)
})
