// The Vault test server's auth tune endpoints and AppRole user lockout, as rotation-facts.md describes
// them: user_lockout_* keys only when tuned, sudo on sys/auth/:path/tune but not on sys/mounts/auth/…,
// N failed logins lock the role-id (even a correct secret-id is refused) until the duration passes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { seedRunbook } from '../support/vault-server/seed.js'
import { call } from '../support/vault-server/test-client.js'

let server: VaultTestServer
let roleId: string
let secretId: string
const v = (method: string, path: string, body?: unknown, token: string | null = server.rootToken) => call(server.addr, method, path, { token, body })
const login = (sid: string) => v('POST', 'auth/approle/login', { role_id: roleId, secret_id: sid }, null)

beforeEach(async () => {
  server = await startVaultServer()
  ;({ roleId } = await seedRunbook(server.addr, server.rootToken))
  secretId = ((await v('POST', 'auth/approle/role/authentik/secret-id', {})).body as { data: { secret_id: string } }).data.secret_id
})
afterEach(() => server.close())

describe('auth tune', () => {
  it('reports no user_lockout keys until the mount is tuned, then the tuned values in seconds', async () => {
    const before = await v('GET', 'sys/mounts/auth/approle/tune')
    expect(before.status).toBe(200)
    expect(Object.keys((before.body as { data: object }).data).filter((k) => k.startsWith('user_lockout'))).toEqual([])
    const tuned = await v('POST', 'sys/auth/approle/tune', { user_lockout_config: { lockout_threshold: '3', lockout_duration: '10m', lockout_counter_reset_duration: '5m' } })
    expect(tuned.status).toBe(204)
    const after = (await v('GET', 'sys/auth/approle/tune')).body as { data: Record<string, unknown>; user_lockout_threshold: number }
    expect(after.data).toMatchObject({ user_lockout_threshold: 3, user_lockout_duration: 600, user_lockout_counter_reset_duration: 300, user_lockout_disable: false })
    expect(after.user_lockout_threshold).toBe(3) // sys/auth/ is injected at the top level too
  })

  it('sys/auth/:path/tune needs sudo; sys/mounts/auth/:path/tune only read', async () => {
    await v('PUT', 'sys/policies/acl/tune-read', { policy: 'path "sys/auth/approle/tune" {\n  capabilities = ["read"]\n}\npath "sys/mounts/auth/approle/tune" {\n  capabilities = ["read"]\n}\n' })
    const token = ((await v('POST', 'auth/token/create', { policies: ['tune-read'] })).body as { auth: { client_token: string } }).auth.client_token
    expect((await v('GET', 'sys/auth/approle/tune', undefined, token)).status).toBe(403)
    expect((await v('GET', 'sys/mounts/auth/approle/tune', undefined, token)).status).toBe(200)
  })

  it('refuses a lockout config for a missing mount and bad values', async () => {
    expect((await v('POST', 'sys/auth/nope/tune', { user_lockout_config: { lockout_threshold: '3' } })).status).toBe(400)
    expect((await v('POST', 'sys/auth/approle/tune', { user_lockout_config: { lockout_threshold: 'x' } })).body).toEqual({ errors: ['unable to parse user lockout threshold: x'] })
  })
})

describe('AppRole user lockout', () => {
  it('a tuned threshold of failed logins locks the role-id, even for the right secret-id, until the duration passes', async () => {
    await v('POST', 'sys/auth/approle/tune', { user_lockout_config: { lockout_threshold: '3', lockout_duration: '10m' } })
    for (let i = 0; i < 3; i++) expect((await login('wrong')).body).toEqual({ errors: ['invalid role or secret ID'] })
    const locked = await login(secretId)
    expect(locked.status).toBe(403)
    expect(locked.body).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] })
    server.clock.advance(10 * 60_000 + 1)
    expect((await login(secretId)).status).toBe(200)
  })

  it('a success clears the count; an untuned mount locks only when Vault\'s default is turned on (5 failures)', async () => {
    for (let i = 0; i < 7; i++) await login('wrong')
    expect((await login(secretId)).status).toBe(200) // default lockout off in the stand-in unless asked
    server.state.defaultUserLockout = true
    for (let i = 0; i < 4; i++) await login('wrong')
    expect((await login(secretId)).status).toBe(200)
    for (let i = 0; i < 4; i++) await login('wrong')
    expect((await login(secretId)).status).toBe(200) // the success above reset the counter
    for (let i = 0; i < 5; i++) await login('wrong')
    expect((await login(secretId)).status).toBe(403)
  })

  it('lockout_disable turns it off on the mount', async () => {
    server.state.defaultUserLockout = true
    await v('POST', 'sys/auth/approle/tune', { user_lockout_config: { lockout_disable: true } })
    for (let i = 0; i < 6; i++) await login('wrong')
    expect((await login(secretId)).status).toBe(200)
  })
})
