// Behaviour of the Vault test server beyond single fixtures: secret-id num_uses and TTL expiry on the
// controllable clock, token TTL/renewal, single-use wrapping, seal/unseal, fault injection, the request
// log, and the standalone process the test bed spawns.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { seedRunbook } from '../support/vault-server/seed.js'
import { call } from '../support/vault-server/test-client.js'
import { waitFor } from '../support/wait-for.js'

let server: VaultTestServer
let operator: string
let roleId: string
const v = (token: string | null, method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(server.addr, method, path, { token, body, headers })
const login = (secretId: string) => v(null, 'POST', 'auth/approle/login', { role_id: roleId, secret_id: secretId })

async function newSecretId(body: Record<string, unknown> = {}): Promise<{ secret_id: string; secret_id_accessor: string }> {
  const r = await v(operator, 'POST', 'auth/approle/role/authentik/secret-id', body)
  expect(r.status).toBe(200)
  return (r.body as { data: { secret_id: string; secret_id_accessor: string } }).data
}

beforeEach(async () => {
  server = await startVaultServer()
  ;({ operatorToken: operator, roleId } = await seedRunbook(server.addr, server.rootToken))
})
afterEach(() => server.close())

describe('AppRole secret-id lifetime', () => {
  it('decrements num_uses on each login and deletes the secret-id on its last use', async () => {
    const s = await newSecretId({ num_uses: 2 })
    expect((await login(s.secret_id)).status).toBe(200)
    const mid = await v(operator, 'POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { secret_id_accessor: s.secret_id_accessor })
    expect((mid.body as { data: { secret_id_num_uses: number } }).data.secret_id_num_uses).toBe(1)
    expect((await login(s.secret_id)).status).toBe(200)
    expect((await login(s.secret_id)).body).toEqual({ errors: ['invalid role or secret ID'] })
    expect((await v(operator, 'POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { secret_id_accessor: s.secret_id_accessor })).status).toBe(404)
  })

  it('expires a secret-id after its ttl on the test clock, and the role default of 720h', async () => {
    const short = await newSecretId({ ttl: '60s' })
    const long = await newSecretId()
    const lookup = await v(operator, 'POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { secret_id_accessor: long.secret_id_accessor })
    const expires = Date.parse((lookup.body as { data: { expiration_time: string } }).data.expiration_time)
    expect(expires - server.clock.now()).toBeGreaterThan(720 * 3600_000 - 5000)
    server.clock.advance(61_000)
    expect((await login(short.secret_id)).body).toEqual({ errors: ['invalid role or secret ID'] })
    expect((await login(long.secret_id)).status).toBe(200)
    server.clock.advance(720 * 3600_000)
    expect((await login(long.secret_id)).status).toBe(400)
    expect((await v(operator, 'GET', 'auth/approle/role/authentik/secret-id?list=true')).status).toBe(404)
  })
})

describe('tokens', () => {
  it('expires the login token after token_ttl, renews it up to token_max_ttl', async () => {
    const s = await newSecretId()
    const token = ((await login(s.secret_id)).body as { auth: { client_token: string } }).auth.client_token
    for (let i = 0; i < 3; i++) {
      server.clock.advance(45 * 60_000)
      const renewed = await v(token, 'POST', 'auth/token/renew-self', {})
      expect((renewed.body as { auth: { lease_duration: number } }).auth.lease_duration).toBe(3600)
    }
    server.clock.advance(50 * 60_000)
    const capped = await v(token, 'POST', 'auth/token/renew-self', {})
    expect((capped.body as { auth: { lease_duration: number } }).auth.lease_duration).toBeLessThanOrEqual(55 * 60)
    server.clock.advance(55 * 60_000 + 1000)
    expect((await v(token, 'GET', 'auth/token/lookup-self')).body).toEqual({ errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] })
  })

  it('accepts Authorization: Bearer as well as X-Vault-Token', async () => {
    const r = await call(server.addr, 'GET', 'auth/token/lookup-self', { token: null, headers: { Authorization: `Bearer ${operator}` } })
    expect(r.status).toBe(200)
  })
})

describe('response wrapping', () => {
  it('unwraps a wrapped secret-id once, to a secret-id that logs in', async () => {
    const wrapped = await v(operator, 'POST', 'auth/approle/role/authentik/secret-id', {}, { 'X-Vault-Wrap-TTL': '5m' })
    const wrap = (wrapped.body as { wrap_info: { token: string; wrapped_accessor: string } }).wrap_info
    expect(wrapped.text).not.toMatch(/"secret_id"/)
    const unwrapped = await v(wrap.token, 'POST', 'sys/wrapping/unwrap')
    const data = (unwrapped.body as { data: { secret_id: string; secret_id_accessor: string } }).data
    expect(data.secret_id_accessor).toBe(wrap.wrapped_accessor)
    expect((await login(data.secret_id)).status).toBe(200)
    expect((await v(wrap.token, 'POST', 'sys/wrapping/unwrap')).body).toEqual({ errors: ['wrapping token is not valid or does not exist'] })
  })
})

describe('seal and unseal', () => {
  it('answers 503 "Vault is sealed" to everything but sys/health while sealed', async () => {
    server.seal()
    for (const [method, path] of [['GET', 'secret/data/cwiq/shared/authentik/database'], ['POST', 'auth/approle/login'], ['GET', 'auth/token/lookup-self']] as const) {
      expect((await v(operator, method, path, method === 'POST' ? {} : undefined)).body).toEqual({ errors: ['Vault is sealed'] })
    }
    expect((await v(null, 'GET', 'sys/health')).status).toBe(503)
    server.unseal()
    expect((await v(operator, 'GET', 'secret/data/cwiq/shared/authentik/database')).status).toBe(200)
  })
})

describe('fault injection', () => {
  it('fails the next N matching requests with the given status, then recovers', async () => {
    server.faults.failNext('secret/data/cwiq/*', { status: 500, count: 2, method: 'GET' })
    const path = 'secret/data/cwiq/shared/authentik/config'
    expect((await v(operator, 'GET', path)).status).toBe(500)
    expect((await v(operator, 'POST', 'sys/capabilities-self', { paths: [path] })).status).toBe(200)
    expect((await v(operator, 'GET', path)).body).toEqual({ errors: ['injected fault: status 500'] })
    expect((await v(operator, 'GET', path)).status).toBe(200)
  })

  it('delays and drops connections', async () => {
    server.faults.delay('sys/health', 200, { count: 1 })
    const t0 = Date.now()
    await v(null, 'GET', 'sys/health')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190)
    server.faults.dropNext(/^auth\/approle\/login$/)
    await expect(login('x')).rejects.toThrow()
    expect((await login('x')).status).toBe(400)
    server.faults.failNext('*', { status: 429 })
    server.faults.clear()
    expect((await v(null, 'GET', 'sys/health')).status).toBe(200)
  })
})

describe('request log', () => {
  it('records method, path, headers and body so tests can check that no secret went into a URL', async () => {
    const s = await newSecretId()
    await login(s.secret_id)
    const logged = server.requests.find((r) => r.path === '/v1/auth/approle/login')!
    expect(JSON.parse(logged.body)).toEqual({ role_id: roleId, secret_id: s.secret_id })
    expect(server.requests.some((r) => r.path.includes(s.secret_id) || r.path.includes(operator))).toBe(false)
    expect(server.requests.filter((r) => r.headers['x-vault-token'] === operator).length).toBeGreaterThan(0)
  })
})

describe('standalone process (main.ts)', () => {
  it('writes {addr, rootToken, operatorToken, roleId, pid} to the ready file, serves, and exits on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-main-'))
    const ready = join(dir, 'ready.json')
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/vault-server/main.ts', '--host', '127.0.0.1', '--port', '0', '--seed', '--ready-file', ready], { stdio: ['ignore', 'ignore', 'pipe'] })
    try {
      await waitFor(() => existsSync(ready), 'the Vault test server\'s ready file', 10_000, 50)
      const info = JSON.parse(readFileSync(ready, 'utf8')) as { addr: string; rootToken: string; operatorToken: string; roleId: string; pid: number }
      expect(info.pid).toBe(child.pid)
      expect(info.addr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect((await call(info.addr, 'GET', 'auth/approle/role/authentik/role-id', { token: info.operatorToken })).body).toMatchObject({ data: { role_id: info.roleId } })
      const clock = await fetch(`${info.addr}/__test/clock`, { method: 'POST', headers: { 'X-Vault-Token': info.rootToken }, body: JSON.stringify({ advance_ms: 5000 }) })
      expect(clock.status).toBe(200)
      expect((await fetch(`${info.addr}/__test/seal`, { method: 'POST', headers: { 'X-Vault-Token': info.operatorToken } })).status).toBe(403)
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
