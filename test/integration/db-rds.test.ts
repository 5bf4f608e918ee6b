// The RDS path end to end: the real AWS SDK, signed requests to the RDS stand-in (reached only through
// AWS_ENDPOINT_URL_RDS), the password applied to a real PostgreSQL, and real logins before and after.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ApplyProgress, DbEndpoint } from '../../src/db/db-types.js'
import { checkLogin, verifyLogin } from '../../src/db/login-check.js'
import { RdsPasswordChanger } from '../../src/db/rds-changer.js'
import { ConfigError, DatabaseError, InterruptedError } from '../../src/errors.js'
import { Secret } from '../../src/util/secret.js'
import { startPostgres, type Postgres } from '../support/postgres.js'
import { awsTestEnv, setEnv } from '../support/rds-server/aws-env.js'
import { startRdsServer, type RdsServer } from '../support/rds-server/index.js'

const KEY = { accessKeyId: 'AKIASTANDIN00000001', secretAccessKey: randomBytes(30).toString('base64') }
const ID = 'cwiq-shared-authentik-postgres'
const fresh = (): Secret => new Secret(randomBytes(24).toString('hex'))
let postgres: Postgres
let rds: RdsServer
let restoreEnv: () => void
let endpoint: DbEndpoint
const passwords = new Map<string, Secret>()

async function createRole(role: string): Promise<void> {
  const password = fresh()
  const admin = new pg.Client({ connectionString: postgres.connectionString })
  await admin.connect()
  await admin.query(`CREATE ROLE ${admin.escapeIdentifier(role)} LOGIN PASSWORD ${admin.escapeLiteral(password.reveal())}`)
  await admin.end()
  passwords.set(role, password)
}

function instance(id: string, masterUsername: string, faults = {}): Parameters<RdsServer['instances']['add']>[0] {
  return { id, masterUsername, address: postgres.host, port: postgres.port, admin: { connectionString: postgres.connectionString }, applyAfterMs: 300, faults }
}

beforeAll(async () => {
  postgres = await startPostgres()
  for (const role of ['authentik', 'busy_user', 'stuck_user', 'managed_user', 'lost_user', 'failing_user']) await createRole(role)
  rds = await startRdsServer({ keys: [KEY] })
  rds.instances.add(instance(ID, 'authentik'))
  rds.instances.add(instance('busy-db', 'busy_user', { failModify: true }))
  rds.instances.add(instance('stuck-db', 'stuck_user', { stuck: true }))
  rds.instances.add(instance('managed-db', 'managed_user', { managedPassword: true }))
  rds.instances.add(instance('lost-db', 'lost_user'))
  rds.instances.add(instance('failing-db', 'failing_user'))
  restoreEnv = setEnv(await awsTestEnv(rds.url, [
    { name: 'shared-services', key: KEY, region: 'us-west-2' },
    { name: 'unknown-key', key: { accessKeyId: 'AKIANOTKNOWN0000000', secretAccessKey: KEY.secretAccessKey }, region: 'us-west-2' },
    { name: 'wrong-secret', key: { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-secret' }, region: 'us-west-2' },
    { name: 'no-region', key: KEY },
  ]))
  endpoint = { host: postgres.host, port: postgres.port, database: 'postgres', sslMode: 'disable' }
})

afterAll(async () => {
  restoreEnv?.()
  await rds?.stop()
  await postgres?.stop()
})

const changer = (instanceId: string, profile = 'shared-services'): RdsPasswordChanger => new RdsPasswordChanger({ instanceId, profile, settleIntervalMs: 100, settleTimeoutMs: 10_000 })
const login = (user: string, password = passwords.get(user) as Secret) => ({ user, password })

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('RDS password change with the real SDK', { shuffle: false }, () => {
  it('modifies the master password, waits until applied, and the new one logs in while the old is refused', async () => {
    const rdsChanger = changer(ID)
    const old = passwords.get('authentik') as Secret
    const next = fresh()
    expect(await rdsChanger.preflight()).toEqual({
      target: `RDS instance ${ID} (master user authentik)`, status: 'available', user: 'authentik', endpoint: { host: postgres.host, port: postgres.port },
    })
    expect((await verifyLogin(endpoint, login('authentik'))).user).toBe('authentik')
    await rdsChanger.changePassword(next)
    const seen: ApplyProgress[] = []
    await rdsChanger.waitApplied({ intervalMs: 100, timeoutMs: 10_000, onProgress: (p) => seen.push(p) })
    await rdsChanger.close()
    expect(seen[0]).toMatchObject({ status: 'resetting-master-credentials', pending: true })
    expect(seen.at(-1)).toMatchObject({ status: 'available', pending: false })
    expect((await verifyLogin(endpoint, login('authentik', next))).user).toBe('authentik')
    expect(await checkLogin(endpoint, login('authentik', old))).toMatchObject({ ok: false, message: expect.stringMatching(/password authentication failed/) })
    passwords.set('authentik', next)
    const modify = rds.requests.find((r) => r.action === 'ModifyDBInstance' && r.params.DBInstanceIdentifier === ID)
    expect(modify).toMatchObject({ status: 200, accessKeyId: KEY.accessKeyId, params: { DBInstanceIdentifier: ID, MasterUserPassword: '****', ApplyImmediately: 'true', Version: '2014-10-31' } })
  })

  it('an unknown instance is a ConfigError before anything changes', async () => {
    const error = await changer('no-such-db').preflight().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(/RDS instance no-such-db was not found \(AWS profile shared-services\)/)
    expect((error as ConfigError).exitCode).toBe(5)
  })

  it('a refused modify (InvalidDBInstanceState) leaves the old password working', async () => {
    const error = await changer('busy-db').changePassword(fresh()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseError)
    expect(error).toMatchObject({ reason: 'state', exitCode: 7, message: expect.stringMatching(/busy-db cannot be modified in its current state/) })
    expect((await checkLogin(endpoint, login('busy_user'))).ok).toBe(true)
  })

  it('a change that stays pending fails the bounded wait with a timeout, reporting progress', async () => {
    const stuck = changer('stuck-db')
    await stuck.changePassword(fresh())
    const seen: ApplyProgress[] = []
    const started = Date.now()
    const error = await stuck.waitApplied({ intervalMs: 100, timeoutMs: 700, onProgress: (p) => seen.push(p) }).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(error).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/did not apply the new master password within .*MasterUserPassword pending/) })
    expect(seen.length).toBeGreaterThanOrEqual(3)
    expect(seen.every((p) => p.pending && p.status === 'resetting-master-credentials')).toBe(true)
    expect((await checkLogin(endpoint, login('stuck_user'))).ok).toBe(true)
  })

  it('the wait stops at once when interrupted', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const started = Date.now()
    const error = await changer('stuck-db').waitApplied({ intervalMs: 5_000, timeoutMs: 60_000, signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('ManageMasterUserPassword on is reported clearly by preflight and by the modify', async () => {
    const managed = changer('managed-db')
    await expect(managed.preflight()).rejects.toThrow(/managed-db has ManageMasterUserPassword on: Secrets Manager manages its master password/)
    const error = await managed.changePassword(fresh()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(/ManageMasterUserPassword on/)
    expect((await checkLogin(endpoint, login('managed_user'))).ok).toBe(true)
  })

  it('a password RDS would refuse is refused before the call', async () => {
    const before = rds.instances.modifyCount(ID)
    await expect(changer(ID).changePassword(new Secret('has/slash-and-long-enough'))).rejects.toThrow(/not valid for RDS: it contains '\/'/)
    expect(rds.instances.modifyCount(ID)).toBe(before)
  })
})

describe('RDS credentials and reachability', () => {
  it.each([
    ['unknown-key', /AWS refused the credentials of AWS profile unknown-key \(InvalidClientTokenId\)/],
    ['wrong-secret', /AWS refused the credentials of AWS profile wrong-secret \(SignatureDoesNotMatch\)/],
    ['missing-profile', /no AWS credentials found for AWS profile missing-profile/],
    ['no-region', /no AWS region configured for AWS profile no-region/],
    ['undefined-profile', /no AWS region configured for AWS profile undefined-profile/],
  ])('profile %s gives a ConfigError', async (profile, message) => {
    // A region from the environment, so that a missing profile fails on its credentials.
    const restore = setEnv(profile === 'missing-profile' ? { AWS_REGION: 'us-west-2' } : {})
    const error = await changer(ID, profile).preflight().catch((e: unknown) => e).finally(restore)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(message)
  })

  it('an unreachable RDS API is a DatabaseError naming the instance', async () => {
    const restore = setEnv({ AWS_ENDPOINT_URL_RDS: 'http://127.0.0.1:9' })
    try {
      const error = await changer(ID).preflight().catch((e: unknown) => e)
      expect(error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(new RegExp(`cannot reach the RDS API for ${ID}`)) })
    } finally {
      restore()
    }
  })
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('RDS API faults with the real SDK', { shuffle: false }, () => {
  afterEach(() => rds.clearFaults())
  const modifies = (id: string) => rds.requests.filter((q) => q.action === 'ModifyDBInstance' && q.params.DBInstanceIdentifier === id)

  it('ModifyDBInstance taken but its answer lost: the SDK\'s retry is refused as busy, authctl sees the change pending and goes on', async () => {
    const next = fresh()
    rds.failNext({ action: 'ModifyDBInstance', kind: 'cut', afterProcessing: true })
    const lost = changer('lost-db')
    await lost.changePassword(next)
    await lost.waitApplied({ intervalMs: 100, timeoutMs: 10_000 })
    await lost.close()
    // the first attempt was cut after RDS took it; the retry found it pending
    expect(modifies('lost-db').map((q) => q.status)).toEqual([0, 400])
    expect((await verifyLogin(endpoint, login('lost_user', next))).user).toBe('lost_user')
    expect((await checkLogin(endpoint, login('lost_user'))).ok).toBe(false)
    passwords.set('lost_user', next)
  })

  it.each([
    ['internal-error', 500, /failed with HTTP 500 \(InternalFailure\)/],
    ['throttling', 400, /throttled ModifyDBInstance for failing-db \(Throttling\): Rate exceeded/],
    ['cut', 0, /cannot reach the RDS API for failing-db/],
  ] as const)('%s on every attempt, nothing taken: an unknown outcome after looking at the instance; the old password still works', async (kind, status, message) => {
    const before = modifies('failing-db').length
    rds.failNext({ action: 'ModifyDBInstance', kind, count: 10 })
    const error = await changer('failing-db').changePassword(fresh()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseError)
    expect(error).toMatchObject({ reason: 'unknown', exitCode: 7 })
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(/RDS shows no master password change pending on failing-db \(available\)/)
    // the SDK's own three attempts, each answered with the fault
    expect(modifies('failing-db').slice(before).map((q) => q.status)).toEqual([status, status, status])
    expect((await checkLogin(endpoint, login('failing_user'))).ok).toBe(true)
  })

  it('a 500 after RDS took the change: the change is seen pending and applied', async () => {
    const next = fresh()
    rds.failNext({ action: 'ModifyDBInstance', kind: 'internal-error', afterProcessing: true })
    const failing = changer('failing-db')
    await failing.changePassword(next)
    await failing.waitApplied({ intervalMs: 100, timeoutMs: 10_000 })
    await failing.close()
    expect((await verifyLogin(endpoint, login('failing_user', next))).user).toBe('failing_user')
    passwords.set('failing_user', next)
  })

  it('RDS answers nothing useful (the modify cut, every describe a 500): unknown within the bound, never "not applied"', async () => {
    rds.failNext({ action: 'ModifyDBInstance', kind: 'cut', afterProcessing: true })
    rds.failNext({ action: 'DescribeDBInstances', kind: 'internal-error', count: 1_000 })
    const error = await new RdsPasswordChanger({ instanceId: 'failing-db', profile: 'shared-services', settleIntervalMs: 100, settleTimeoutMs: 1_500 }).changePassword(fresh()).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unknown', message: expect.stringMatching(/whether RDS took the change could not be told within 2 s \(DescribeDBInstances: RDS DescribeDBInstances for failing-db failed with HTTP 500/) })
    rds.clearFaults()
    // RDS did take it: once it answers again the change shows as pending
    await changer('failing-db').waitApplied({ intervalMs: 100, timeoutMs: 10_000 })
    expect((await checkLogin(endpoint, login('failing_user'))).ok).toBe(false)
  })
})
