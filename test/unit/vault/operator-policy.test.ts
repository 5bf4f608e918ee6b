// The one table of Vault calls (src/vault/operator-policy.ts) against the Vault test server: every
// VaultClient method has a row, each row's own rules are enough for its call and are needed (a token
// without them is denied), and a token holding only the generated operator policy can make every
// call but bootstrap's. Adding a client method without a row fails to compile (Record type) and here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VaultError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'
import type { IssuedSecretId } from '../../../src/vault/approle.js'
import { createVaultClient, type VaultClient } from '../../../src/vault/client.js'
import { blocksHcl, operatorPolicyHcl, policyBlocks, VAULT_CALLS, type PolicyVars, type VaultCallName } from '../../../src/vault/operator-policy.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'

const V: PolicyVars = { approleMount: 'approle', role: 'authentik', kvMount: 'secret', kvPath: 'cwiq/shared/authentik', policies: ['cwiq-shared-authentik-read', 'authctl-operator'] }
const DB = 'cwiq/shared/authentik/database'
const ROLE = { tokenPolicies: ['cwiq-shared-authentik-read'], tokenTtl: 3600, tokenMaxTtl: 14400, secretIdTtl: 2592000, secretIdNumUses: 0 }

const client = (server: VaultTestServer, token: string | null) =>
  createVaultClient({ addr: server.addr, token: token === null ? null : new Secret(token), tokenSource: 'explicit', skipVerify: false, timeoutMs: 5000 })

async function createToken(server: VaultTestServer, policies: string[]): Promise<string> {
  const res = await fetch(`${server.addr}/v1/auth/token/create`, { method: 'POST', headers: { 'X-Vault-Token': server.rootToken }, body: JSON.stringify({ policies }) })
  return ((await res.json()) as { auth: { client_token: string } }).auth.client_token
}

// Drives one call per method, in an order where each finds what it needs; `root` prepares state.
interface Drive { root: VaultClient; roleId?: string; issued?: IssuedSecretId; wrapped?: IssuedSecretId }
const DRIVE: Record<VaultCallName, (c: VaultClient, d: Drive) => Promise<unknown>> = {
  health: (c) => c.health(),
  preflight: (c) => c.preflight(),
  lookupSelf: (c) => c.lookupSelf(),
  writePolicy: (c) => c.writePolicy('cwiq-shared-authentik-read', 'path "secret/data/cwiq/shared/authentik/*" {\n  capabilities = ["read"]\n}\n'),
  readPolicy: (c) => c.readPolicy('authctl-operator'),
  listAuthMounts: (c) => c.listAuthMounts(),
  enableAuth: (c) => c.enableAuth('approle', 'approle', 'AppRole'),
  readAuthTune: (c) => c.readAuthTune('approle'),
  writeRole: (c) => c.writeRole('authentik', ROLE),
  readRole: (c) => c.readRole('authentik'),
  readRoleId: async (c, d) => (d.roleId = await c.readRoleId('authentik')),
  createSecretId: async (c, d) => (d.issued = await c.createSecretId('authentik', { metadata: { host: 'h1' } })),
  lookupSecretIdAccessor: (c, d) => c.lookupSecretIdAccessor('authentik', d.issued!.accessor),
  listSecretIdAccessors: (c) => c.listSecretIdAccessors('authentik'),
  approleLogin: (c, d) => c.approleLogin(d.roleId!, d.issued!.secretId),
  destroySecretIdAccessor: (c, d) => c.destroySecretIdAccessor('authentik', d.issued!.accessor),
  lookupWrapping: async (c, d) => {
    d.wrapped = await d.root.createSecretId('authentik', { metadata: {}, wrapTtl: '60s' })
    return c.lookupWrapping(d.wrapped.secretId)
  },
  unwrap: (c, d) => c.unwrap(d.wrapped!.secretId),
  unwrapSecretId: async (c, d) => c.unwrapSecretId((await d.root.createSecretId('authentik', { metadata: {}, wrapTtl: '60s' })).secretId, 'authentik'),
  // create (cas 0) and then update: the row grants both
  kvWrite: async (c) => {
    const v1 = await c.kvWrite('secret', DB, { pg_host: 'h', pg_password: new Secret('pw-123456789') }, { cas: 0 })
    return c.kvWrite('secret', DB, { pg_host: 'h2', pg_password: new Secret('pw-123456789') }, { cas: v1.version })
  },
  kvRead: (c) => c.kvRead('secret', DB),
  kvPatch: async (c) => c.kvPatch('secret', DB, { pg_host: 'h3' }, 2),
  kvMetadata: (c) => c.kvMetadata('secret', DB),
  kvPatchMetadata: (c) => c.kvPatchMetadata('secret', DB, { 'authctl-rotation.0': '{}' }),
  kvList: (c) => c.kvList('secret', 'cwiq/shared/authentik'),
  // last: it revokes the token the call is made with
  revokeSelf: (c) => c.revokeSelf(),
}
const ORDER = Object.keys(DRIVE) as VaultCallName[]
// Bootstrap calls need the empty Vault the row drives them on; the root token keeps the rest going.
const BOOTSTRAP = ORDER.filter((m) => VAULT_CALLS[m].rules.some((r) => r.scope === 'bootstrap'))

async function denied(p: Promise<unknown>): Promise<VaultError> {
  const e = await p.then(() => null, (x: unknown) => x)
  expect(e).toBeInstanceOf(VaultError)
  expect((e as VaultError).status).toBe(403)
  return e as VaultError
}

describe('the table', () => {
  it('has exactly one row per request-making method of the client', () => {
    const methods = Object.keys(createVaultClient({ addr: 'http://127.0.0.1:1', token: null, tokenSource: 'none', skipVerify: false, timeoutMs: 1 })).filter((k) => k !== 'addr' && k !== 'withToken')
    expect(Object.keys(VAULT_CALLS).sort()).toEqual([...methods].sort())
    expect([...ORDER].sort()).toEqual([...methods].sort())
  })

  it('says why a row needs no rule, and every rule has capabilities', () => {
    for (const [name, row] of Object.entries(VAULT_CALLS)) {
      expect(row.rules.length > 0 || (row.noRule?.length ?? 0) > 0, name).toBe(true)
      for (const r of row.rules) expect(r.capabilities.length, name).toBeGreaterThan(0)
    }
  })

  it('the operator policy: the runbook\'s rules for the stack\'s role only, the KV keys of one folder, nothing of sys/', () => {
    const blocks = policyBlocks('operator', V)
    expect(blocks.map((b) => [b.path, b.capabilities.join(',')])).toEqual([
      ['auth/approle/role/authentik/role-id', 'read'],
      ['auth/approle/role/authentik/secret-id', 'update,list'],
      ['auth/approle/role/authentik/secret-id-accessor/lookup', 'update'],
      ['auth/approle/role/authentik/secret-id-accessor/destroy', 'update'],
      ['secret/data/cwiq/shared/authentik/+', 'create,read,update,patch'],
      ['secret/metadata/cwiq/shared/authentik/+', 'read,patch'],
      ['secret/metadata/cwiq/shared/authentik', 'list'],
    ])
    expect(operatorPolicyHcl(V)).not.toMatch(/\*|sys\/|sudo|delete|role\/\+/)
  })
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('each row against the Vault test server', { shuffle: false }, () => {
  let server: VaultTestServer
  let d: Drive
  beforeAll(async () => {
    server = await startVaultServer()
    d = { root: client(server, server.rootToken) }
  })
  afterAll(() => server.close())

  // One test per row, in drive order: denied without its rules, allowed with only its own rules.
  for (const name of ORDER) {
    it(`${name}: ${VAULT_CALLS[name].rules.length ? 'its own rules suffice and are needed' : `needs no rule (${VAULT_CALLS[name].noRule?.join(', ')})`}`, async () => {
      const blocks = [...policyBlocks('operator', V, [name]), ...policyBlocks('bootstrap', V, [name])]
      const bare = client(server, await createToken(server, []))
      if (blocks.length === 0) {
        await DRIVE[name](bare, d)
        return
      }
      await denied(DRIVE[name](bare, d))
      await d.root.writePolicy(`only-${name.toLowerCase()}`, blocksHcl(name, blocks))
      await DRIVE[name](client(server, await createToken(server, [`only-${name.toLowerCase()}`])), d)
    })
  }
})

describe('a token holding only the generated operator policy', () => {
  let server: VaultTestServer
  let d: Drive
  let operator: VaultClient
  beforeAll(async () => {
    server = await startVaultServer()
    d = { root: client(server, server.rootToken) }
    for (const name of BOOTSTRAP) await DRIVE[name](d.root, d)
    await d.root.writePolicy('authctl-operator', operatorPolicyHcl(V))
    operator = client(server, await createToken(server, ['authctl-operator']))
  })
  afterAll(() => server.close())

  it('makes every call but bootstrap\'s', async () => {
    for (const name of ORDER.filter((m) => !BOOTSTRAP.includes(m))) await expect(DRIVE[name](operator, d).then(() => name)).resolves.toBe(name)
  })

  it('is denied every bootstrap call, and KV outside its folder', async () => {
    // the previous test ended with revokeSelf: a new token with the same policy
    operator = client(server, await createToken(server, ['authctl-operator']))
    for (const name of BOOTSTRAP) await denied(DRIVE[name](operator, d))
    await denied(operator.kvRead('secret', 'cwiq/shared/other/database'))
    await denied(operator.kvRead('secret', 'cwiq/shared/authentik/nested/key'))
    const e = await denied(operator.writePolicy('authctl-operator', 'path "*" {\n  capabilities = ["sudo"]\n}\n'))
    expect(e.message).toBe('Permission denied: the token lacks "create/update" on sys/policies/acl/authctl-operator')
  })

  it('mints, lists, looks up and destroys secret-ids of the stack\'s role only: another role on the mount is refused', async () => {
    operator = client(server, await createToken(server, ['authctl-operator']))
    await d.root.writeRole('other', ROLE)
    const mine = await operator.createSecretId('authentik', { metadata: { host: 'h1' } })
    expect(mine.accessor).not.toBe('')
    const theirs = await d.root.createSecretId('other', { metadata: {} })
    const e = await denied(operator.createSecretId('other', { metadata: { host: 'h1' } }))
    expect(e.message).toBe('Permission denied: the token lacks "update" on auth/approle/role/other/secret-id')
    await denied(operator.readRoleId('other'))
    await denied(operator.listSecretIdAccessors('other'))
    await denied(operator.lookupSecretIdAccessor('other', theirs.accessor))
    await denied(operator.destroySecretIdAccessor('other', theirs.accessor))
    expect(await d.root.listSecretIdAccessors('other')).toEqual([theirs.accessor])
  })
})
