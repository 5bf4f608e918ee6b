// The SQL path against a real PostgreSQL: ALTER ROLE with a verifier computed by authctl (honouring the
// server's password_encryption), directly and through an SSH tunnel via a real test bed host, and its faults.
import { createHash, randomBytes } from 'node:crypto'
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DbEndpoint, DbLogin } from '../../src/db/db-types.js'
import { checkLogin, verifyLogin } from '../../src/db/login-check.js'
import { connectPg } from '../../src/db/pg-connect.js'
import { scramVerifier } from '../../src/db/password-verifier.js'
import { SqlPasswordChanger } from '../../src/db/sql-changer.js'
import { changeNotApplied } from '../../src/plays/rotate-db-password/decide.js'
import { viaHost } from '../../src/db/ssh-via.js'
import { ConfigError, DatabaseError, InterruptedError } from '../../src/errors.js'
import { Secret } from '../../src/util/secret.js'
import type { SshConnection } from '../../src/transport/ssh-types.js'
import type { Postgres } from '../support/postgres.js'
import { asAdmin, createRole as createRoleIn, startDbBed, type DbBed } from './support/db-bed.js'
import { waitFor } from '../support/wait-for.js'

const HOSTILE_ROLE = 'authentik "x"; DROP ROLE y; --\\'
const fresh = (): Secret => new Secret(`${randomBytes(12).toString('hex')}'";\\--`)
let dbBed: DbBed
let postgres: Postgres
let remote: SshConnection
let direct: DbEndpoint
let wrongPw: DbLogin | undefined

const admin = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => asAdmin(postgres, work)
const createRole = (role: string): Promise<DbLogin> => createRoleIn(postgres, role, fresh())

const stored = (role: string): Promise<string> =>
  admin(async (c) => (await c.query<{ p: string }>('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [role])).rows[0]?.p ?? '')

beforeAll(async () => {
  dbBed = await startDbBed()
  ;({ postgres, remote } = dbBed)
  direct = { host: postgres.host, port: postgres.port, database: 'postgres', sslMode: 'disable' }
})

afterAll(async () => {
  await dbBed?.stop()
})

describe('SQL password change, direct', () => {
  it('a role changes its own password: the new one logs in, the old is refused, the server stored a SCRAM verifier', async () => {
    const login = await createRole('authentik')
    const next = fresh()
    const changer = new SqlPasswordChanger({ endpoint: direct, login })
    expect(await changer.preflight()).toEqual({
      target: `PostgreSQL role authentik at authentik@127.0.0.1:${postgres.port}/postgres`, status: 'available', user: 'authentik', endpoint: { host: '127.0.0.1', port: postgres.port },
    })
    await changer.changePassword(next)
    await changer.waitApplied()
    expect(await verifyLogin(direct, { user: 'authentik', password: next })).toEqual({ user: 'authentik', serverVersion: expect.stringMatching(/^15\./), tls: false })
    // sslmode prefer (Authentik's default) against a server without TLS: a plain connection, as libpq makes
    expect(await verifyLogin({ ...direct, sslMode: 'prefer' }, { user: 'authentik', password: next })).toMatchObject({ tls: false })
    expect(await checkLogin(direct, login)).toMatchObject({ ok: false })
    const verifier = await stored('authentik')
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/)
    expect(verifier).not.toContain(next.reveal())
  })

  it('computes the same SCRAM verifier as PostgreSQL itself for the same salt', async () => {
    const login = await createRole('scram_check')
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(await stored('scram_check')) ?? []
    expect(scramVerifier(login.password, Number(iterations), Buffer.from(salt ?? '', 'base64'))).toBe(await stored('scram_check'))
  })

  it('an admin changes a hostile role name to a hostile password; only that role changes', async () => {
    const target = await createRole(HOSTILE_ROLE)
    const bystander = await createRole('y')
    const next = fresh()
    await new SqlPasswordChanger({ endpoint: direct, login: { user: postgres.user, password: new Secret(postgres.password) }, role: HOSTILE_ROLE }).changePassword(next)
    expect((await verifyLogin(direct, { user: HOSTILE_ROLE, password: next })).user).toBe(HOSTILE_ROLE)
    expect((await checkLogin(direct, target)).ok).toBe(false)
    expect((await checkLogin(direct, bystander)).ok).toBe(true)
  })

  it('honours password_encryption = md5 with an md5 verifier', async () => {
    const login = await createRole('legacy_md5')
    await admin((c) => c.query('ALTER ROLE legacy_md5 SET password_encryption = \'md5\''))
    const next = fresh()
    await new SqlPasswordChanger({ endpoint: direct, login }).changePassword(next)
    expect(await stored('legacy_md5')).toBe(`md5${createHash('md5').update(`${next.reveal()}legacy_md5`).digest('hex')}`)
  })

  it('a login without the privilege to alter another role fails before any change', async () => {
    const weak = await createRole('weak_user')
    const victim = await createRole('victim_user')
    const error = await new SqlPasswordChanger({ endpoint: direct, login: weak, role: 'victim_user' }).changePassword(fresh()).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'refused', exitCode: 7, message: expect.stringMatching(/weak_user may not change the password of role victim_user/) })
    expect((await checkLogin(direct, victim)).ok).toBe(true)
  })

  it.each([
    ['a role that does not exist', { role: 'nobody_here' }, ConfigError, /role nobody_here does not exist/],
    ['a wrong current password', { password: new Secret('wrong-password') }, DatabaseError, /cannot log in as wrong_pw@127\.0\.0\.1:\d+\/postgres: password authentication failed .*\[28P01\]/],
    ['PostgreSQL down', { port: 9 }, DatabaseError, /cannot log in as wrong_pw@127\.0\.0\.1:9\/postgres: .*ECONNREFUSED/],
    ['TLS required by authctl, not offered by the server', { sslMode: 'require' as const }, DatabaseError, /The server does not support SSL connections/],
  ])('%s is reported clearly', async (_name, change, type, message) => {
    wrongPw ??= await createRole('wrong_pw')
    const endpoint = { ...direct, ...('port' in change ? { port: change.port } : {}), ...('sslMode' in change ? { sslMode: change.sslMode } : {}) }
    const password = 'password' in change ? change.password : wrongPw.password
    const changer = new SqlPasswordChanger({ endpoint, login: { user: 'wrong_pw', password }, ...('role' in change ? { role: change.role } : {}) })
    const error = await changer.preflight().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(type)
    expect((error as Error).message).toMatch(message)
  })

  it('stops before connecting when interrupted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(verifyLogin(direct, { user: postgres.user, password: new Secret(postgres.password) }, controller.signal)).rejects.toBeInstanceOf(InterruptedError)
  })
})

// Another session holding a lock on the role (an open transaction that altered it), as a migration or an
// operator's forgotten psql session would; release() rolls that transaction back.
async function holdRoleLock(role: string): Promise<{ release(): Promise<void> }> {
  const other = new pg.Client({ connectionString: postgres.connectionString })
  await other.connect()
  await other.query('BEGIN')
  await other.query(`ALTER ROLE ${other.escapeIdentifier(role)} CONNECTION LIMIT 7`)
  let released = false
  return { release: async () => {
    if (released) return
    released = true
    await other.query('ROLLBACK')
    await other.end()
  } }
}

// ALTER ROLE statements the server is running now (waiting for a lock included).
const runningAlters = (role: string): Promise<number> =>
  admin(async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE state = \'active\' AND pid <> pg_backend_pid() AND query LIKE $1', [`%ALTER ROLE "${role}"%`])).rows[0]?.n))

describe('SQL password change: bounded waits and Ctrl-C', () => {
  it('a lock held by another session: lock_timeout ends the wait with a clear error that counts as not applied', async () => {
    const login = await createRole('lock_wait')
    const lock = await holdRoleLock('lock_wait')
    // a safety net for a change that would wait for ever: the lock goes after 5 s whatever happens
    const safety = setTimeout(() => void lock.release(), 5_000)
    try {
      const started = Date.now()
      const error = await new SqlPasswordChanger({ endpoint: direct, login, bounds: { lockTimeoutMs: 400, statementTimeoutMs: 20_000 } }).changePassword(fresh()).catch((e: unknown) => e)
      expect(Date.now() - started).toBeLessThan(4_000)
      expect(error).toBeInstanceOf(DatabaseError)
      expect(error).toMatchObject({ reason: 'state', exitCode: 7, message: `ALTER ROLE lock_wait on lock_wait@127.0.0.1:${postgres.port}/postgres waited more than 0.4 s (lock_timeout) for a lock another session holds on the role; it was rolled back, nothing was changed` })
      expect((error as DatabaseError).hint).toContain('pg_stat_activity')
      expect(changeNotApplied(error)).toBe(true)
    } finally {
      clearTimeout(safety)
      await lock.release()
    }
    expect((await checkLogin(direct, login)).ok).toBe(true)
  })

  it('statement_timeout bounds the statement when the lock wait may be longer', async () => {
    const login = await createRole('stmt_wait')
    const lock = await holdRoleLock('stmt_wait')
    const safety = setTimeout(() => void lock.release(), 5_000)
    try {
      const error = await new SqlPasswordChanger({ endpoint: direct, login, bounds: { lockTimeoutMs: 20_000, statementTimeoutMs: 400 } }).changePassword(fresh()).catch((e: unknown) => e)
      expect(error).toMatchObject({ reason: 'state', message: expect.stringMatching(/ALTER ROLE stmt_wait on .* ran longer than 0\.4 s \(statement_timeout\); it was rolled back, nothing was changed$/) })
    } finally {
      clearTimeout(safety)
      await lock.release()
    }
    expect((await checkLogin(direct, login)).ok).toBe(true)
  })

  it.each([['direct'], ['through the --via tunnel']])('Ctrl-C while ALTER ROLE waits (%s): the server cancels it, and the role does not change once the lock is free', async (route) => {
    const role = route === 'direct' ? 'cancel_direct' : 'cancel_tunnel'
    const login = await createRole(role)
    const endpoint: DbEndpoint = route === 'direct' ? direct : { ...direct, via: viaHost(remote) }
    const next = fresh()
    const lock = await holdRoleLock(role)
    const safety = setTimeout(() => void lock.release(), 6_000)
    const controller = new AbortController()
    try {
      const change = new SqlPasswordChanger({ endpoint, login, bounds: { lockTimeoutMs: 30_000, statementTimeoutMs: 30_000 } }).changePassword(next, controller.signal).catch((e: unknown) => e)
      await waitFor(async () => (await runningAlters(role)) === 1, 'the ALTER ROLE to be running', 5_000, 50)
      const started = Date.now()
      controller.abort()
      const error = await change
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(error).toBeInstanceOf(InterruptedError)
      expect((error as Error).message).toBe(`interrupted: ALTER ROLE ${role} was cancelled and rolled back; the password was not changed`)
      // what closing the connection would not have done: the server is no longer running it
      expect(await runningAlters(role)).toBe(0)
    } finally {
      clearTimeout(safety)
      await lock.release()
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await checkLogin(direct, login)).ok).toBe(true)
    expect((await checkLogin(direct, { user: role, password: next })).ok).toBe(false)
  })
})

describe('SQL password change through an SSH tunnel via a test bed host', () => {
  // Counts the bytes that go through the tunnel, so the test knows pg used it.
  function countingVia(): { via: ReturnType<typeof viaHost>; bytes: () => number } {
    const inner = viaHost(remote)
    let bytes = 0
    return {
      via: { name: inner.name, open: async (host, port): Promise<Duplex> => {
        const stream = await inner.open(host, port)
        stream.on('data', (chunk: Buffer) => (bytes += chunk.length))
        return stream
      } },
      bytes: () => bytes,
    }
  }

  it('changes the password and verifies the login along the same route', async () => {
    const login = await createRole('tunnel_user')
    const { via, bytes } = countingVia()
    const endpoint: DbEndpoint = { ...direct, via }
    const next = fresh()
    const changer = new SqlPasswordChanger({ endpoint, login })
    expect((await changer.preflight()).target).toBe(`PostgreSQL role tunnel_user at tunnel_user@127.0.0.1:${postgres.port}/postgres via host1`)
    await changer.changePassword(next)
    expect((await verifyLogin(endpoint, { user: 'tunnel_user', password: next })).user).toBe('tunnel_user')
    expect(await checkLogin(endpoint, login)).toMatchObject({ ok: false, message: expect.stringMatching(/via host1: password authentication failed/) })
    expect(bytes()).toBeGreaterThan(1_000)
  })

  it('a database the host cannot reach is a DatabaseError naming the host and the address', async () => {
    const endpoint: DbEndpoint = { ...direct, port: 9, via: viaHost(remote) }
    const error = await verifyLogin(endpoint, { user: 'x', password: new Secret('y') }).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(/cannot log in as x@127\.0\.0\.1:9\/postgres via host1: host1: cannot open a tunnel to 127\.0\.0\.1:9/) })
  })
})

describe('the --via route bounded in time', () => {
  it('a route that goes silent mid-session is cut after the idle bound, with an error naming the host', async () => {
    // a TCP relay in front of the real PostgreSQL that can stop relaying (the far end of an SSH tunnel vanishing)
    let frozen = false
    const sockets: Socket[] = []
    const relay = createServer((client) => {
      const upstream = tcpConnect(postgres.port, '127.0.0.1')
      sockets.push(client, upstream)
      client.on('data', (chunk) => void (frozen || upstream.write(chunk)))
      upstream.on('data', (chunk) => void (frozen || client.write(chunk)))
      client.on('error', () => undefined).on('close', () => upstream.destroy())
      upstream.on('error', () => undefined).on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
    const relayPort = (relay.address() as AddressInfo).port
    const via = { name: 'stall-host', open: async (): Promise<Duplex> => tcpConnect(relayPort, '127.0.0.1') }
    const endpoint: DbEndpoint = { ...direct, via, idleTimeoutMs: 500 }
    try {
      const client = await connectPg(endpoint, { user: postgres.user, password: new Secret(postgres.password) })
      try {
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
        frozen = true
        const started = Date.now()
        const error = await client.query('SELECT 2').catch((e: unknown) => e)
        expect(Date.now() - started).toBeLessThan(3_000)
        expect((error as Error).message).toBe(`stall-host: the tunnel to 127.0.0.1:${postgres.port} carried nothing for 0.5 s: the database or the route through stall-host stopped answering`)
      } finally {
        await client.end().catch(() => undefined)
      }
    } finally {
      sockets.forEach((socket) => socket.destroy())
      await new Promise((resolve) => relay.close(resolve))
    }
  })
})
