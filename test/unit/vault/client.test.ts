// The Vault client against the in-process Vault test server seeded with the runbook's setup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../../src/util/secret.js'
import { createVaultClient, type VaultClient } from '../../../src/vault/client.js'
import type { SetupVault } from '../../../src/plays/shared/setup-types.js'
import { openSetupVault } from '../../../src/vault/setup-vault.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'
import { seedRunbook } from '../../support/vault-server/seed.js'

let server: VaultTestServer
let vault: VaultClient
let roleId: string
let operatorToken: string
const KV = 'cwiq/shared/authentik/database'

beforeAll(async () => {
  server = await startVaultServer()
  const seeded = await seedRunbook(server.addr, server.rootToken, { secrets: { pg_password: 'initial-password-123' } })
  roleId = seeded.roleId
  operatorToken = seeded.operatorToken
  vault = createVaultClient({ addr: server.addr, token: new Secret(seeded.operatorToken), tokenSource: 'explicit', skipVerify: false, timeoutMs: 5000 })
})
afterAll(() => server.close())

describe('health and token', () => {
  it('reports health without a token and passes preflight as the operator', async () => {
    expect(await vault.health()).toMatchObject({ status: 200, initialized: true, sealed: false, standby: false })
    const me = await vault.preflight()
    expect(me.policies).toEqual(['authctl-operator', 'default'])
    expect(me.ttl).toBeGreaterThan(0)
    expect(JSON.stringify(me)).not.toContain(operatorToken)
  })

  it('returns sealed health instead of throwing', async () => {
    server.seal()
    try {
      expect(await vault.health()).toMatchObject({ status: 503, sealed: true })
    } finally {
      server.unseal()
    }
  })
})

describe('AppRole', () => {
  it('reads the role-id and issues, looks up, lists and destroys secret-ids', async () => {
    expect(await vault.readRoleId('authentik')).toBe(roleId)
    const issued = await vault.createSecretId('authentik', { metadata: { host: 'web1', created_by: 'authctl' } })
    expect(issued.secretId).toBeInstanceOf(Secret)
    expect([issued.ttl, issued.numUses, issued.wrapped]).toEqual([720 * 3600, 0, false])
    const info = await vault.lookupSecretIdAccessor('authentik', issued.accessor)
    expect(info?.metadata).toEqual({ host: 'web1', created_by: 'authctl' })
    expect(info!.expirationTime!.getTime() - Date.now()).toBeGreaterThan(719 * 3600_000)
    expect(await vault.listSecretIdAccessors('authentik')).toContain(issued.accessor)
    expect(await vault.destroySecretIdAccessor('authentik', issued.accessor)).toBe(true)
    expect(await vault.destroySecretIdAccessor('authentik', issued.accessor)).toBe(false)
    expect(await vault.lookupSecretIdAccessor('authentik', issued.accessor)).toBeNull()
  })

  it('sends the metadata as a JSON string and the request as POST with X-Vault-Token, never in the URL', async () => {
    const before = server.requests.length
    await vault.createSecretId('authentik', { metadata: { host: 'web2' } })
    const req = server.requests.slice(before).find((r) => r.path === '/v1/auth/approle/role/authentik/secret-id')!
    expect(req.method).toBe('POST')
    expect(JSON.parse(req.body)).toEqual({ metadata: '{"host":"web2"}' })
    expect(req.headers['x-vault-token']).toMatch(/^hvs\./)
    expect(req.headers['x-vault-request']).toBe('true')
  })

  it('lists as GET ?list=true and returns [] for a role without secret-ids', async () => {
    await fetch(`${server.addr}/v1/auth/approle/role/empty`, { method: 'POST', headers: { 'X-Vault-Token': server.rootToken }, body: '{}' })
    const before = server.requests.length
    expect(await vault.withToken(new Secret(server.rootToken)).listSecretIdAccessors('empty')).toEqual([])
    expect(server.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/auth/approle/role/empty/secret-id?list=true'])
  })

  it('creates a response-wrapped secret-id and unwraps it once after checking the creation path', async () => {
    const wrapped = await vault.createSecretId('authentik', { metadata: { host: 'web3' }, wrapTtl: '60s' })
    expect([wrapped.wrapped, wrapped.ttl]).toEqual([true, 60])
    expect((await vault.lookupWrapping(wrapped.secretId)).creationPath).toBe('auth/approle/role/authentik/secret-id')
    const { secretId, accessor } = await vault.unwrapSecretId(wrapped.secretId, 'authentik')
    expect(accessor).toBe(wrapped.accessor)
    expect((await vault.approleLogin(roleId, secretId)).policies).toEqual(['cwiq-shared-authentik-read', 'default'])
    await expect(vault.unwrap(wrapped.secretId)).rejects.toMatchObject({ status: 400, message: 'The wrapping token is invalid, expired or already unwrapped' })
  })

  it('logs in with its own token slot: the operator client keeps its token, withToken() uses the new one', async () => {
    const { secretId } = await vault.createSecretId('authentik', { metadata: {} })
    const before = server.requests.length
    const login = await vault.approleLogin(roleId, secretId)
    const loginReq = server.requests[before]!
    expect(loginReq.headers['x-vault-token']).toBeUndefined()
    expect([login.leaseDuration, login.renewable, login.metadata]).toEqual([3600, true, { role_name: 'authentik' }])
    expect((await vault.lookupSelf()).policies).toContain('authctl-operator')
    const app = vault.withToken(login.clientToken)
    expect((await app.lookupSelf()).policies).toContain('cwiq-shared-authentik-read')
    expect((await vault.lookupSelf()).policies).toContain('authctl-operator')
    const tokens = server.requests.slice(before).map((r) => r.headers['x-vault-token'])
    expect(tokens.slice(1)).toEqual([tokens[1], login.clientToken.reveal(), tokens[1]])
  })
})

describe('KV v2', () => {
  it('reads values as Secret, by version, and reports deleted versions with data null', async () => {
    const current = await vault.kvRead('secret', KV)
    expect(current!.data!.pg_password).toBeInstanceOf(Secret)
    expect(current!.data!.pg_password!.reveal()).toBe('initial-password-123')
    expect(String(current!.data!.pg_password)).toBe('<redacted>')
    expect(await vault.kvRead('secret', 'cwiq/shared/authentik/none')).toBeNull()
    const m1 = await vault.kvWrite('secret', 'cwiq/shared/authentik/scratch', { a: new Secret('one') }, { cas: 0 })
    await vault.kvPatch('secret', 'cwiq/shared/authentik/scratch', { b: 'two' }, m1.version)
    expect((await vault.kvRead('secret', 'cwiq/shared/authentik/scratch', 1))!.data).toEqual({ a: expect.any(Secret) })
    await fetch(`${server.addr}/v1/secret/data/cwiq/shared/authentik/scratch`, { method: 'DELETE', headers: { 'X-Vault-Token': server.rootToken } })
    const deleted = await vault.kvRead('secret', 'cwiq/shared/authentik/scratch')
    expect(deleted?.data).toBeNull()
    expect(deleted?.meta.version).toBe(2)
    expect(deleted?.meta.deletionTime).toBeInstanceOf(Date)
  })

  it('patches with merge-patch+json and cas, like the runbook rotation step', async () => {
    const meta = await vault.kvMetadata('secret', KV)
    const before = server.requests.length
    const v = await vault.kvPatch('secret', KV, { pg_password: new Secret('rotated-password-456') }, meta!.currentVersion)
    expect(v.version).toBe(meta!.currentVersion + 1)
    const req = server.requests[before]!
    expect([req.method, req.headers['content-type']]).toEqual(['PATCH', 'application/merge-patch+json'])
    const after = await vault.kvRead('secret', KV)
    expect([after!.data!.pg_password!.reveal(), after!.data!.pg_user!.reveal()]).toEqual(['rotated-password-456', 'authentik'])
    // 'scratch' is the read test's, there or not
    expect((await vault.kvList('secret', 'cwiq/shared/authentik')).filter((k) => k !== 'scratch')).toEqual(['config', 'database'])
    expect(await vault.kvMetadata('secret', 'cwiq/shared/authentik/none')).toBeNull()
    // back to the seeded password, which the other tests read
    await vault.kvPatch('secret', KV, { pg_password: new Secret('initial-password-123') }, v.version)
  })

  it('serves the setup play through its port, opened from the environment like the vault CLI', async () => {
    const port: SetupVault = await openSetupVault({ VAULT_ADDR: server.addr, VAULT_TOKEN: operatorToken }, '/nonexistent')
    await port.preflight()
    expect(await port.readRoleId('authentik')).toBe(roleId)
    const { secretId, accessor } = await port.createSecretId('authentik', { metadata: { host: 'web9' } })
    expect(secretId).toBeInstanceOf(Secret)
    expect((await port.lookupSecretIdAccessor('authentik', accessor))?.expirationTime).toBeInstanceOf(Date)
    await port.destroySecretIdAccessor('authentik', accessor)
    await port.destroySecretIdAccessor('authentik', accessor)
    expect(await port.lookupSecretIdAccessor('authentik', accessor)).toBeNull()
    server.seal()
    const sealed = await port.preflight().then(() => null, (e: unknown) => e)
    server.unseal()
    expect(sealed).toMatchObject({ status: 503, exitCode: 6 })
  })
})
