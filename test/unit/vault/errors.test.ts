// Vault failures become VaultError (exit code 6) with a clear message and hint, and no secret — token,
// secret-id or KV value — ever appears in an error message or in a request URL.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, type Server } from 'node:https'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT_CODES } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'
import { createVaultClient, type VaultClient } from '../../../src/vault/client.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'
import { seedRunbook } from '../../support/vault-server/seed.js'
import { failure, testConfig } from './support.js'

let server: VaultTestServer
let vault: VaultClient
let operatorToken: string
let roleId: string
const config = testConfig

beforeAll(async () => {
  server = await startVaultServer()
  ;({ operatorToken, roleId } = await seedRunbook(server.addr, server.rootToken, { secrets: { pg_password: 'kv-secret-value-789' } }))
  vault = createVaultClient(config(server.addr, operatorToken))
})
afterAll(() => server.close())

describe('error messages and hints', () => {
  it('says Vault is sealed, with exit code 6', async () => {
    server.seal()
    const e = await failure(vault.readRoleId('authentik'))
    server.unseal()
    expect([e.status, e.message, e.exitCode]).toEqual([503, `Vault at ${server.addr} is sealed`, EXIT_CODES.vault])
    expect(e.hint).toMatch(/unseal/)
  })

  it('names the path and capability on permission denied', async () => {
    const e = await failure(vault.kvWrite('secret', 'cwiq/shared/other/x', { k: 'v' }))
    expect(e.status).toBe(403)
    expect(e.message).toBe('Permission denied: the token lacks "create/update" on secret/data/cwiq/shared/other/x')
    expect(e.hint).toContain('vault token capabilities secret/data/cwiq/shared/other/x')
    const list = await failure(vault.listSecretIdAccessors('authentik').then(() => vault.kvList('secret', 'cwiq')))
    expect(list.message).toContain('"list" on secret/metadata/cwiq')
  })

  it('says the token is bad without showing it', async () => {
    const bad = createVaultClient(config(server.addr, 'hvs.definitely-wrong-token'))
    const e = await failure(bad.lookupSelf())
    expect(e.message).toBe('Vault rejected the token for GET auth/token/lookup-self: it is invalid, expired or revoked')
    expect(e.hint).toMatch(/vault login|VAULT_TOKEN/)
    expect(`${e.message} ${e.hint} ${JSON.stringify(e.cause)}`).not.toContain('definitely-wrong-token')
  })

  it('reports an unreachable Vault with its address, and preflight without a token', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    const e = await failure(createVaultClient(config(`http://127.0.0.1:${port}`, 't')).health())
    expect(e.message).toContain(`Vault at http://127.0.0.1:${port} is unreachable (ECONNREFUSED`)
    expect(e.hint).toContain('VAULT_ADDR')
    const none = await failure(createVaultClient(config(server.addr, null)).preflight())
    expect(none.message).toContain('No Vault token')
  })

  it('explains a missing role and a check-and-set conflict', async () => {
    expect((await failure(vault.readRoleId('nope'))).message).toBe('AppRole role "nope" does not exist at auth/approle')
    const meta = await vault.kvMetadata('secret', 'cwiq/shared/authentik/config')
    const e = await failure(vault.kvPatch('secret', 'cwiq/shared/authentik/config', { secret_key: new Secret('k') }, meta!.currentVersion - 1))
    expect(e.message).toBe('Vault PATCH secret/data/cwiq/shared/authentik/config failed (400): check-and-set parameter did not match the current version')
    expect(e.hint).toContain('read it again')
  })

  it('times out on a hung Vault', async () => {
    server.faults.delay('sys/health', 1500, { count: 1 })
    const slow = createVaultClient(config(server.addr, null, { timeoutMs: 300 }))
    expect((await failure(slow.health())).message).toContain('did not answer GET sys/health in time')
  })
})

describe('no secret in messages or URLs', () => {
  it('keeps the secret-id, token and KV values out of every error text, even when Vault echoes them', async () => {
    const { secretId } = await vault.createSecretId('authentik', { metadata: {} })
    server.faults.failNext('auth/approle/login', { status: 400, body: { errors: [`invalid secret_id ${secretId.reveal()}`] } })
    const login = await failure(vault.approleLogin(roleId, secretId))
    server.faults.failNext('secret/data/*', { status: 500, body: { errors: [`cannot store kv-secret-value-789 for token ${operatorToken}`] } })
    const write = await failure(vault.kvWrite('secret', 'cwiq/shared/authentik/database', { pg_password: new Secret('kv-secret-value-789') }))
    server.faults.failNext('sys/wrapping/unwrap', { status: 400, body: { errors: [`bad token ${secretId.reveal()}`] } })
    const unwrap = await failure(vault.unwrap(secretId))
    for (const e of [login, write, unwrap]) {
      const text = `${e.message}\n${e.hint ?? ''}\n${JSON.stringify(e.cause)}\n${String(e.stack)}`
      expect(text).not.toContain(secretId.reveal())
      expect(text).not.toContain(operatorToken)
      expect(text).not.toContain('kv-secret-value-789')
    }
    expect(login.message).toContain('<redacted>')
  })

  it('never puts the token, a secret-id or a KV value into a request URL', async () => {
    const { secretId } = await vault.createSecretId('authentik', { metadata: {} })
    const login = await vault.approleLogin(roleId, secretId)
    await vault.withToken(login.clientToken).kvRead('secret', 'cwiq/shared/authentik/database')
    const urls = server.requests.map((r) => r.path).join('\n')
    for (const secret of [operatorToken, server.rootToken, secretId.reveal(), login.clientToken.reveal(), 'kv-secret-value-789']) expect(urls).not.toContain(secret)
  })
})

describe('TLS with VAULT_CACERT', () => {
  let dir: string
  let https: Server
  let addr: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vault-tls-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    https = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ initialized: true, sealed: false, standby: false, version: 'tls-test', namespace: req.headers['x-vault-namespace'] ?? null }))
    })
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    addr = `https://127.0.0.1:${(https.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => https.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  })

  it('fails verification without the CA, with a hint to set VAULT_CACERT', async () => {
    const e = await failure(createVaultClient(config(addr, null)).health())
    expect(e.message).toMatch(/^TLS verification of Vault at https:\/\/127\.0\.0\.1:\d+ failed/)
    expect(e.hint).toContain('VAULT_CACERT')
  })

  it('trusts the CA from VAULT_CACERT, and skips verification only when told to', async () => {
    const ca = readFileSync(join(dir, 'cert.pem'), 'utf8')
    expect((await createVaultClient(config(addr, null, { caCert: ca })).health()).version).toBe('tls-test')
    expect((await createVaultClient(config(addr.replace('https://', 'HTTPS://'), null, { caCert: ca })).health()).version).toBe('tls-test')
    expect((await createVaultClient(config(addr, null, { skipVerify: true })).health()).version).toBe('tls-test')
  })
})

describe('namespace', () => {
  it('sends VAULT_NAMESPACE as X-Vault-Namespace on every call', async () => {
    const before = server.requests.length
    await createVaultClient(config(server.addr, operatorToken, { namespace: 'team-a' })).readRoleId('authentik')
    expect(server.requests.slice(before).map((r) => r.headers['x-vault-namespace'])).toEqual(['team-a'])
  })
})
