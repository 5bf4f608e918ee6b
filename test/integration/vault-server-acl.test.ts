// Vault's ACL path matching (README §3) as implemented by the test server: the worked examples A–E as
// a table, deny precedence, and the runbook's two policies enforced over HTTP — including why the
// AppRole paths need `+` and not `*`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allowOperation, buildAcl, type Operation } from '../support/vault-server/acl.js'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { parsePolicy } from '../support/vault-server/policy-parse.js'
import { OPERATOR_POLICY, READ_POLICY, seedRunbook } from '../support/vault-server/seed.js'
import { call } from '../support/vault-server/test-client.js'

const A = `path "secret/data/cwiq/shared/authentik/*" { capabilities = ["read"] }`
const A_FULL = `path "secret/data/cwiq/shared/authentik/*"     { capabilities = ["read"] }
path "secret/metadata/cwiq/shared/authentik/*" { capabilities = ["read", "list"] }`
const B = `path "auth/approle/role/+/secret-id" { capabilities = ["create", "update"] }`
const B_WRAP = `path "auth/approle/role/+/secret-id" {
  capabilities     = ["update"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "300s"
}`
const C1 = `path "secret/data/cwiq/*" { capabilities = ["read"] }
path "secret/data/cwiq/shared/authentik/*" { capabilities = ["read", "create", "update"] }`
const C2 = `path "secret/data/cwiq/shared/authentik/admin" { capabilities = ["deny"] }
path "secret/data/+/shared/+/*" { capabilities = ["read", "list", "delete"] }
path "secret/*" { capabilities = ["deny"] }`
const C3 = `path "secret/data/cwiq/shared/authentik/*" { capabilities = ["patch"] }`
const D = `path "secret/data/+/shared/+/*" { capabilities = ["read"] }
path "secret/data/cwiq/+/authentik/*" { capabilities = ["list"] }`
const E = `path "secret/metadata/cwiq/shared" { capabilities = ["list"] }
path "secret/metadata/cwiq/shared/*" { capabilities = ["read"] }`
const DENY_WIDE = `path "secret/*" { capabilities = ["deny"] }
path "secret/data/x" { capabilities = ["read"] }`
const STAR_MIDDLE = `path "auth/approle/role/*/role-id" { capabilities = ["read"] }
path "auth/approle/role/*/secret-id" { capabilities = ["create", "update"] }`
const STAR_END = `path "auth/approle/role/*" { capabilities = ["read", "create", "update"] }`

// [example, policies, operation, request path as the ACL sees it (LIST with the trailing slash), wrap TTL, allowed]
const table: [string, string[], Operation, string, number | null, boolean][] = [
  ['A', [A], 'read', 'secret/data/cwiq/shared/authentik/admin', null, true],
  ['A', [A], 'read', 'secret/data/cwiq/shared/authentik/db/primary', null, true],
  ['A', [A], 'read', 'secret/data/cwiq/shared/authentik', null, false],
  ['A', [A], 'read', 'secret/data/cwiq/shared/authentik-old/x', null, false],
  ['A', [A], 'create', 'secret/data/cwiq/shared/authentik/admin', null, false],
  ['A', [A], 'update', 'secret/data/cwiq/shared/authentik/admin', null, false],
  ['A', [A], 'patch', 'secret/data/cwiq/shared/authentik/admin', null, false],
  ['A', [A], 'list', 'secret/metadata/cwiq/shared/authentik/', null, false],
  ['A', [A], 'list', 'secret/data/cwiq/shared/authentik/', null, false],
  ['A full', [A_FULL], 'list', 'secret/metadata/cwiq/shared/authentik/', null, true],
  ['A full', [A_FULL], 'read', 'secret/metadata/cwiq/shared/authentik/db', null, true],
  ['B', [B], 'update', 'auth/approle/role/authentik/secret-id', null, true],
  ['B', [B], 'update', 'auth/approle/role/authentik/secret-id', 60, true],
  ['B', [B], 'update', 'auth/approle/role/a/b/secret-id', null, false],
  ['B', [B], 'update', 'auth/approle/role/authentik/secret-id/lookup', null, false],
  ['B', [B], 'update', 'auth/approle/role/authentik/secret-id-accessor/destroy', null, false],
  ['B', [B], 'list', 'auth/approle/role/authentik/secret-id/', null, false],
  ['B', [B], 'read', 'auth/approle/role/authentik/role-id', null, false],
  ['B', [B], 'update', 'auth/approle/role/secret-id', null, false],
  ['B wrap', [B_WRAP], 'update', 'auth/approle/role/authentik/secret-id', null, false],
  ['B wrap', [B_WRAP], 'update', 'auth/approle/role/authentik/secret-id', 60, true],
  ['B wrap', [B_WRAP], 'update', 'auth/approle/role/authentik/secret-id', 301, false],
  ['C', [C1, C2, C3], 'read', 'secret/data/cwiq/shared/authentik/db', null, true],
  ['C', [C1, C2, C3], 'patch', 'secret/data/cwiq/shared/authentik/db', null, true],
  ['C', [C1, C2, C3], 'delete', 'secret/data/cwiq/shared/authentik/db', null, false],
  ['C', [C1, C2, C3], 'read', 'secret/data/cwiq/shared/authentik/admin', null, false],
  ['C', [C1, C2, C3], 'read', 'secret/data/cwiq/other', null, true],
  ['C', [C1, C2, C3], 'read', 'secret/data/acme/shared/grafana/x', null, true],
  ['C', [C1, C2, C3], 'delete', 'secret/data/acme/shared/grafana/x', null, true],
  ['C', [C1, C2, C3], 'read', 'secret/data/cwiq', null, false],
  ['D', [D], 'read', 'secret/data/cwiq/shared/authentik/db', null, false],
  ['D', [D], 'read', 'secret/data/acme/shared/grafana/db', null, true],
  ['E', [E], 'list', 'secret/metadata/cwiq/shared/', null, true],
  ['E', [E], 'list', 'secret/metadata/cwiq/shared/authentik/', null, false],
  ['E', [E], 'read', 'secret/metadata/cwiq/shared/authentik', null, true],
  ['deny does not reach across rules', [DENY_WIDE], 'read', 'secret/data/x', null, true],
  ['deny does not reach across rules', [DENY_WIDE], 'read', 'secret/data/y', null, false],
  ['* in the middle is a literal', [STAR_MIDDLE], 'read', 'auth/approle/role/authentik/role-id', null, false],
  ['* in the middle is a literal', [STAR_MIDDLE], 'update', 'auth/approle/role/authentik/secret-id', null, false],
  ['* in the middle is a literal', [STAR_MIDDLE], 'read', 'auth/approle/role/*/role-id', null, true],
  ['trailing * over-grants', [STAR_END], 'update', 'auth/approle/role/authentik', null, true],
  ['runbook operator', [OPERATOR_POLICY], 'read', 'auth/approle/role/authentik/role-id', null, true],
  ['runbook operator', [OPERATOR_POLICY], 'update', 'auth/approle/role/authentik/secret-id', null, true],
  ['runbook operator', [OPERATOR_POLICY], 'read', 'auth/approle/role/authentik', null, false],
  ['runbook read', [READ_POLICY], 'read', 'secret/data/cwiq/shared/authentik/database', null, true],
  ['runbook read', [READ_POLICY], 'patch', 'secret/data/cwiq/shared/authentik/database', null, false],
]

describe('ACL selection (README §3.8 worked examples)', () => {
  it.each(table)('example %s: %j %s %s (wrap %s) → %s', (_ex, policies, op, path, wrap, allowed) => {
    const acl = buildAcl(policies.map((p) => parsePolicy(p)))
    expect(allowOperation(acl, path, op, wrap).allowed).toBe(allowed)
  })

  it('merges capabilities of the same path string across policies, and deny there wins over sudo', () => {
    const acl = buildAcl([parsePolicy('path "a/b" { capabilities = ["read", "sudo"] }'), parsePolicy('path "a/b" { capabilities = ["deny"] }')])
    expect(allowOperation(acl, 'a/b', 'read')).toMatchObject({ allowed: false, rootPrivs: false })
  })

  it('reports the rule it selected (priority: later first wildcard beats an earlier one)', () => {
    expect(allowOperation(buildAcl([parsePolicy(D)]), 'secret/data/cwiq/shared/authentik/db', 'read').matched).toBe('secret/data/cwiq/+/authentik/*')
    expect(allowOperation(buildAcl([parsePolicy(C1), parsePolicy(C2)]), 'secret/data/cwiq/shared/authentik/db', 'read').matched).toBe('secret/data/cwiq/shared/authentik/*')
  })
})

describe('the runbook policies on a seeded server', () => {
  let server: VaultTestServer
  let operator: string
  let roleId: string
  const v = (token: string | null, method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(server.addr, method, path, { token, body, headers })

  beforeAll(async () => {
    server = await startVaultServer()
    ;({ operatorToken: operator, roleId } = await seedRunbook(server.addr, server.rootToken, { secrets: { pg_password: 'pw-under-test' } }))
  })
  afterAll(() => server.close())

  it('lets the operator do exactly the AppRole secret-id work and the runbook KV steps', async () => {
    expect((await v(operator, 'GET', 'auth/approle/role/authentik/role-id')).body).toMatchObject({ data: { role_id: roleId } })
    const created = await v(operator, 'POST', 'auth/approle/role/authentik/secret-id', { metadata: '{"host":"web1"}' })
    expect(created.status).toBe(200)
    const accessor = (created.body as { data: { secret_id_accessor: string } }).data.secret_id_accessor
    expect((await v(operator, 'POST', 'auth/approle/role/authentik/secret-id', {}, { 'X-Vault-Wrap-TTL': '60s' })).status).toBe(200)
    expect((await v(operator, 'GET', 'auth/approle/role/authentik/secret-id?list=true')).status).toBe(200)
    expect((await v(operator, 'POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { secret_id_accessor: accessor })).body).toMatchObject({ data: { metadata: { host: 'web1' } } })
    expect((await v(operator, 'POST', 'auth/approle/role/authentik/secret-id-accessor/destroy', { secret_id_accessor: accessor })).status).toBe(204)
    expect((await v(operator, 'PATCH', 'secret/data/cwiq/shared/authentik/database', { data: { pg_host: 'db.internal' } }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(200)
    expect((await v(operator, 'GET', 'secret/data/cwiq/shared/authentik/database')).body).toMatchObject({ data: { data: { pg_host: 'db.internal', pg_password: 'pw-under-test' } } })
    const caps = await v(operator, 'POST', 'sys/capabilities-self', { paths: ['auth/approle/role/authentik/role-id'] })
    expect((caps.body as { data: { capabilities: string[] } }).data.capabilities).toEqual(['read'])
  })

  it('denies the operator everything else', async () => {
    for (const [method, path, body] of [
      ['GET', 'auth/approle/role/authentik', undefined],
      ['POST', 'auth/approle/role/authentik', { token_ttl: '8h' }],
      ['DELETE', 'auth/approle/role/authentik', undefined],
      ['POST', 'auth/approle/role/authentik/role-id', { role_id: 'mine' }],
      ['PUT', 'sys/policies/acl/cwiq-shared-authentik-read', { policy: 'path "*" { capabilities = ["sudo"] }' }],
      ['POST', 'sys/auth/other', { type: 'approle' }],
      ['GET', 'secret/data/cwiq/shared/other/x', undefined],
    ] as const) {
      const r = await v(operator, method, path, body)
      expect([method, path, r.status, r.body]).toEqual([method, path, 403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] }])
    }
  })

  it('shows why the operator policy needs + : the same rules written with * in the middle deny', async () => {
    await v(server.rootToken, 'PUT', 'sys/policies/acl/star-middle', { policy: STAR_MIDDLE })
    const star = ((await v(server.rootToken, 'POST', 'auth/token/create', { policies: ['star-middle'] })).body as { auth: { client_token: string } }).auth.client_token
    expect((await v(star, 'GET', 'auth/approle/role/authentik/role-id')).status).toBe(403)
    expect((await v(star, 'POST', 'auth/approle/role/authentik/secret-id', {})).status).toBe(403)
    const caps = await v(star, 'POST', 'sys/capabilities-self', { paths: ['auth/approle/role/authentik/role-id'] })
    expect((caps.body as { data: { capabilities: string[] } }).data.capabilities).toEqual(['deny'])
    await v(server.rootToken, 'PUT', 'sys/policies/acl/star-end', { policy: STAR_END })
    const broad = ((await v(server.rootToken, 'POST', 'auth/token/create', { policies: ['star-end'] })).body as { auth: { client_token: string } }).auth.client_token
    expect((await v(broad, 'POST', 'auth/approle/role/rogue', { token_policies: 'cwiq-shared-authentik-read' })).status).toBe(204)
    expect((await v(broad, 'GET', 'auth/approle/role/authentik')).status).toBe(200)
  })

  it('gives the AppRole token read on its KV subtree and nothing more', async () => {
    const sid = ((await v(operator, 'POST', 'auth/approle/role/authentik/secret-id', {})).body as { data: { secret_id: string } }).data.secret_id
    const login = await v(null, 'POST', 'auth/approle/login', { role_id: roleId, secret_id: sid })
    const app = (login.body as { auth: { client_token: string; policies: string[]; lease_duration: number } }).auth
    expect(app.policies).toEqual(['cwiq-shared-authentik-read', 'default'])
    expect(app.lease_duration).toBe(3600)
    expect((await v(app.client_token, 'GET', 'secret/data/cwiq/shared/authentik/database')).body).toMatchObject({ data: { data: { pg_user: 'authentik', pg_name: 'authentik', pg_port: '5432' } } })
    expect(((await v(app.client_token, 'GET', 'secret/data/cwiq/shared/authentik/config')).body as { data: { data: { secret_key: string } } }).data.data.secret_key).toHaveLength(64)
    expect(((await v(app.client_token, 'GET', 'secret/metadata/cwiq/shared/authentik?list=true')).body as { data: { keys: string[] } }).data.keys).toEqual(['config', 'database'])
    expect((await v(app.client_token, 'POST', 'secret/data/cwiq/shared/authentik/config', { data: { secret_key: 'x' } })).status).toBe(403)
    expect((await v(app.client_token, 'PATCH', 'secret/data/cwiq/shared/authentik/config', { data: { secret_key: 'x' } }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(403)
    expect((await v(app.client_token, 'GET', 'auth/approle/role/authentik/role-id')).status).toBe(403)
    expect((await v(app.client_token, 'GET', 'auth/token/lookup-self')).status).toBe(200)
  })
})
