// Real clusters: a standby with request forwarding off answers 307 to the active node, a sealed node 503,
// sys/health encodes the node's role in its status. The token never goes to an address other than VAULT_ADDR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../../src/util/secret.js'
import { createVaultClient, type VaultClient } from '../../../src/vault/client.js'
import { describeHealth } from '../../../src/vault/health.js'
import { createTransport } from '../../../src/vault/http-transport.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'
import { seedRunbook } from '../../support/vault-server/seed.js'
import { failure, testConfig } from './support.js'

let active: VaultTestServer
let standby: VaultTestServer
let operatorToken: string
let sentinels: string[]
const ROLE_ID = 'auth/approle/role/authentik/role-id'

const at = (server: VaultTestServer, token: string | null = operatorToken): VaultClient => createVaultClient(testConfig(server.addr, token))

beforeAll(async () => {
  active = await startVaultServer()
  standby = await startVaultServer({ rootToken: 'hvs.standby-root-not-used' })
  ;({ operatorToken } = await seedRunbook(active.addr, active.rootToken))
  sentinels = [operatorToken, active.rootToken]
})
afterAll(async () => {
  await active.close()
  await standby.close()
})

describe('a standby that redirects (request forwarding off)', () => {
  it('refuses to resend the token to the active node and names its address', async () => {
    standby.setMode('standby')
    standby.faults.standby(active.addr)
    const before = active.requests.length
    const e = await failure(at(standby).readRoleId('authentik'), sentinels)
    standby.faults.clear()
    expect(e.message).toBe(`Vault at ${standby.addr} is a standby and redirected GET ${ROLE_ID} to the active node ${active.addr}; authctl sends credentials only to VAULT_ADDR`)
    expect(e.hint).toBe(`Set VAULT_ADDR=${active.addr} (the active node) and run again, or enable request forwarding on the standby nodes.`)
    expect(active.requests.length).toBe(before)
  })

  it('refuses the same way for a login, whose body carries the secret-id', async () => {
    standby.faults.standby(active.addr)
    const before = active.requests.length
    const e = await failure(at(standby, null).approleLogin('role-id-x', new Secret('secret-id-sentinel-2718')), ['secret-id-sentinel-2718'])
    standby.faults.clear()
    expect(e.message).toContain(`redirected POST auth/approle/login to the active node ${active.addr}`)
    expect(active.requests.length).toBe(before)
  })

  it('follows a redirect to another node when the request carries no credential', async () => {
    standby.faults.redirect('sys/seal-status', active.addr)
    const before = active.requests.length
    const r = await createTransport(testConfig(standby.addr, operatorToken)).send({ method: 'GET', path: 'sys/seal-status', token: null })
    expect([r.status, (r.body as { sealed: boolean }).sealed]).toEqual([200, false])
    expect(active.requests.slice(before).map((q) => [q.path, q.headers['x-vault-token']])).toEqual([['/v1/sys/seal-status', undefined]])
  })

  it('follows a same-address redirect with the token, once; a second redirect is an error', async () => {
    active.faults.redirect(ROLE_ID, active.addr)
    const before = active.requests.length
    expect(await at(active).readRoleId('authentik')).toMatch(/^[0-9a-f-]{36}$/)
    expect(active.requests.slice(before).map((q) => q.headers['x-vault-token'])).toEqual([operatorToken, operatorToken])
    active.faults.redirect(ROLE_ID, active.addr, { count: 2 })
    const e = await failure(at(active).readRoleId('authentik'), sentinels)
    expect(e.message).toBe(`Vault at ${active.addr} redirected GET ${ROLE_ID} more than once (last to ${active.addr})`)
  })

  it('never follows a redirect to another scheme', async () => {
    active.faults.redirect(ROLE_ID, active.addr.replace('http:', 'https:'))
    const e = await failure(at(active).readRoleId('authentik'), sentinels)
    expect(e.message).toBe(`Vault at ${active.addr} redirected GET ${ROLE_ID} to ${active.addr.replace('http:', 'https:')}, which uses another scheme; authctl follows redirects only to the same scheme`)
  })

  it('explains a standby that knows no active node', async () => {
    standby.faults.standby(null)
    const e = await failure(at(standby).readRoleId('authentik'), sentinels)
    standby.faults.clear()
    expect([e.status, e.message]).toEqual([503, `Vault at ${standby.addr} has no active node (no active Vault instance found)`])
    expect(e.hint).toContain('leader')
  })
})

describe('sys/health roles and sealed nodes', () => {
  it('reports a standby (429) and a performance standby (473) as such, not as a failure', async () => {
    standby.setMode('standby')
    const h = await at(standby, null).health()
    expect([h.status, describeHealth(h)]).toEqual([429, 'standby (unsealed; forwards or redirects requests to the active node)'])
    standby.setMode('perfstandby')
    const p = await at(standby, null).health()
    expect([p.status, describeHealth(p)]).toEqual([473, 'performance standby (unsealed; serves reads, forwards writes to the active node)'])
    standby.setMode('active')
    expect(describeHealth(await at(standby, null).health())).toBe('active')
  })

  it('fails preflight clearly on a DR secondary and on a sealed node', async () => {
    standby.setMode('drsecondary')
    const dr = await failure(at(standby).preflight(), sentinels)
    standby.setMode('active')
    expect(dr.message).toBe(`Vault at ${standby.addr} is a disaster-recovery secondary and serves no requests`)
    standby.seal()
    const sealed = await failure(at(standby).preflight(), sentinels)
    expect([sealed.status, sealed.message]).toEqual([503, `Vault at ${standby.addr} is sealed`])
    const read = await failure(at(standby).readRoleId('authentik'), sentinels)
    standby.unseal()
    expect(read.message).toBe(`Vault at ${standby.addr} is sealed`)
  })

  it('explains a sys/health answer that is not Vault (a proxy page) instead of calling Vault uninitialised', async () => {
    active.faults.failNext('sys/health', { status: 503, body: 'upstream connect error' })
    const e = await failure(at(active).preflight(), sentinels)
    expect(e.message).toContain(`Vault at ${active.addr} is unavailable (503)`)
    expect(e.message).not.toContain('not initialised')
  })
})

describe('VAULT_ADDR and VAULT_NAMESPACE', () => {
  it('sends X-Vault-Namespace on a login and after a followed redirect too', async () => {
    const ns = createVaultClient(testConfig(active.addr, operatorToken, { namespace: 'team-a' }))
    active.faults.redirect(ROLE_ID, active.addr)
    const before = active.requests.length
    await ns.readRoleId('authentik')
    await ns.approleLogin('nope', (await ns.createSecretId('authentik', { metadata: {} })).secretId).catch(() => null)
    expect(active.requests.slice(before).map((r) => r.headers['x-vault-namespace'])).toEqual(['team-a', 'team-a', 'team-a', 'team-a'])
  })
})
