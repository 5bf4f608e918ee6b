// Replay scenarios for the AppRole fixtures.
import { expect } from 'vitest'
import { errorCase, expectError, expectShape, type Scenario, type ScenarioEnv } from './scenario-env.js'

async function role(env: ScenarioEnv, name = 'authentik', body: Record<string, unknown> = {}): Promise<void> {
  const r = await env.v('POST', `auth/approle/role/${name}`, { body: { token_policies: ['authentik-read'], token_ttl: '1h', token_max_ttl: '4h', ...body } })
  expect(r.status, r.text).toBe(204)
}

async function secretId(env: ScenarioEnv, name = 'authentik', body: Record<string, unknown> = {}): Promise<{ secret_id: string; secret_id_accessor: string }> {
  const r = await env.v('POST', `auth/approle/role/${name}/secret-id`, { body })
  expect(r.status, r.text).toBe(200)
  return (r.body as { data: { secret_id: string; secret_id_accessor: string } }).data
}

// Scenarios by fixture id.
export const approleScenarios: Record<string, Scenario> = {
  'approle-role-create': {
    async run(env, fx) {
      await env.enableApprole()
      const req = fx.request as { body_example_authctl: Record<string, unknown> }
      const created = await env.v('POST', 'auth/approle/role/authentik', { body: req.body_example_authctl })
      expect(created.status).toBe(204)
      expect(created.text).toBe('')
      const back = fx.read_back as { response_status: number; response_body_docs: unknown }
      const read = await env.v('GET', 'auth/approle/role/authentik')
      expectShape(read, back.response_status, back.response_body_docs)
      expect(read.body).toMatchObject({ data: { token_ttl: 3600, token_max_ttl: 14400, secret_id_ttl: 86400, token_policies: ['authentik-read'] } })
      expect((await env.v('GET', 'auth/approle/role/nope')).body).toEqual({ errors: [] })
      expectError(await env.v('POST', 'auth/approle/role/x', { body: { bind_secret_id: false } }), fx, 'no constraint enabled')
      expectError(await env.v('POST', 'auth/approle/role/x', { body: { secret_id_num_uses: -1 } }), fx, 'negative secret_id_num_uses')
      expectError(await env.v('POST', `auth/approle/role/${'a'.repeat(4097)}`, { body: {} }), fx, 'role_name too long')
    },
    probe: async () => ({ method: 'POST', path: 'auth/approle/role/authentik', body: { token_ttl: '1h' } }),
  },
  'approle-role-id-read': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      expectShape(await env.v('GET', 'auth/approle/role/authentik/role-id'), fx.response_status as number, fx.response_body)
      expectError(await env.v('GET', 'auth/approle/role/nope/role-id'), fx, 'role does not exist')
    },
    probe: async () => ({ method: 'GET', path: 'auth/approle/role/authentik/role-id' }),
  },
  'approle-secret-id-create': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      const body = (fx.request as { body_example_docs: unknown }).body_example_docs
      const r = await env.v('POST', 'auth/approle/role/authentik/secret-id', { body })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { secret_id_ttl: 600, secret_id_num_uses: 50 } })
      expectError(await env.v('POST', 'auth/approle/role/nope/secret-id', { body: {} }), fx, 'role does not exist', { role_name: 'nope' })
      await role(env, 'nobind', { bind_secret_id: false, secret_id_bound_cidrs: ['127.0.0.0/8'] })
      expectError(await env.v('POST', 'auth/approle/role/nobind/secret-id', { body: {} }), fx, 'bind_secret_id=false')
      await role(env, 'limited', { secret_id_num_uses: 5, secret_id_ttl: '10m' })
      expectError(await env.v('POST', 'auth/approle/role/limited/secret-id', { body: { num_uses: 6 } }), fx, 'num_uses higher')
      expectError(await env.v('POST', 'auth/approle/role/limited/secret-id', { body: { num_uses: 0 } }), fx, 'num_uses higher')
      expectError(await env.v('POST', 'auth/approle/role/limited/secret-id', { body: { ttl: '11m' } }), fx, 'ttl longer')
      expectError(await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: { num_uses: -1 } }), fx, 'num_uses negative')
      const bad = await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: { metadata: '{not json' } })
      expect(bad.status).toBe(errorCase(fx, 'metadata not parseable').status)
      expect((bad.body as { errors: string[] }).errors[0]).toMatch(/^failed to parse metadata: /)
    },
    probe: async () => ({ method: 'POST', path: 'auth/approle/role/authentik/secret-id', body: {} }),
  },
  'approle-secret-id-create-wrapped': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      const r = await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': '60s' } })
      expectShape(r, 200, fx.response_body)
      const wrap = (r.body as { wrap_info: Record<string, unknown>; data: unknown }).wrap_info
      expect((r.body as { data: unknown }).data).toBeNull()
      expect(wrap).toMatchObject({ ttl: 60, creation_path: 'auth/approle/role/authentik/secret-id' })
      const list = await env.v('GET', 'auth/approle/role/authentik/secret-id?list=true')
      expect((list.body as { data: { keys: string[] } }).data.keys).toEqual([wrap.wrapped_accessor])
      const bad = await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': 'soon' } })
      expect(bad.status).toBe(400)
      expect((bad.body as { errors: string[] }).errors[0]).toMatch(/^error parsing X-Vault-Wrap-TTL header: /)
      expect(errorCase(fx, 'bad X-Vault-Wrap-TTL').status).toBe(400)
    },
    probe: async () => ({ method: 'POST', path: 'auth/approle/role/authentik/secret-id', body: {}, headers: { 'X-Vault-Wrap-TTL': '60s' } }),
  },
  'approle-secret-id-accessor-list': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      expectError(await env.v('GET', 'auth/approle/role/authentik/secret-id?list=true'), fx, 'no secret-ids')
      const a = await secretId(env)
      const b = await secretId(env)
      const r = await env.v('GET', 'auth/approle/role/authentik/secret-id?list=1')
      expectShape(r, 200, fx.response_body)
      expect(((r.body as { data: { keys: string[] } }).data.keys).sort()).toEqual([a.secret_id_accessor, b.secret_id_accessor].sort())
      expectError(await env.v('GET', 'auth/approle/role/nope/secret-id?list=true'), fx, 'role does not exist', { role_name: 'nope' })
    },
    probe: async () => ({ method: 'GET', path: 'auth/approle/role/authentik/secret-id?list=true' }),
  },
  'approle-secret-id-accessor-lookup': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      const s = await secretId(env, 'authentik', { metadata: '{"tag1":"production"}' })
      const r = await env.v('POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { body: { secret_id_accessor: s.secret_id_accessor } })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { metadata: { tag1: 'production' }, expiration_time: '0001-01-01T00:00:00Z', secret_id_num_uses: 0, secret_id_ttl: 0 } })
      expect(JSON.stringify(r.body)).not.toContain(s.secret_id)
      const unknown = await env.v('POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { body: { secret_id_accessor: 'nope' } })
      const ec = errorCase(fx, 'accessor unknown')
      expectShape(unknown, ec.status, ec.body)
      expect((unknown.body as { data: { error: string } }).data.error).toBe('failed to find accessor entry for secret_id_accessor: "nope"')
      expectError(await env.v('POST', 'auth/approle/role/nope/secret-id-accessor/lookup', { body: { secret_id_accessor: 'x' } }), fx, 'role does not exist', { role_name: 'nope' })
      expectError(await env.v('POST', 'auth/approle/role/authentik/secret-id-accessor/lookup', { body: {} }), fx, 'missing secret_id_accessor')
    },
    probe: async () => ({ method: 'POST', path: 'auth/approle/role/authentik/secret-id-accessor/lookup', body: { secret_id_accessor: 'x' } }),
  },
  'approle-secret-id-accessor-destroy': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      const s = await secretId(env)
      const r = await env.v('POST', 'auth/approle/role/authentik/secret-id-accessor/destroy', { body: { secret_id_accessor: s.secret_id_accessor } })
      expect(r.status).toBe(204)
      const again = await env.v('POST', 'auth/approle/role/authentik/secret-id-accessor/destroy', { body: { secret_id_accessor: s.secret_id_accessor } })
      expectError(again, fx, 'accessor unknown', { accessor: s.secret_id_accessor })
      expectError(await env.v('POST', 'auth/approle/role/nope/secret-id-accessor/destroy', { body: { secret_id_accessor: 'x' } }), fx, 'role does not exist', { role_name: 'nope' })
      const t = await secretId(env)
      expect((await env.v('DELETE', 'auth/approle/role/authentik/secret-id-accessor/destroy', { body: { secret_id_accessor: t.secret_id_accessor } })).status).toBe(204)
      const login = await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: await roleId(env), secret_id: t.secret_id } })
      expect(login.status).toBe(400)
    },
    probe: async () => ({ method: 'POST', path: 'auth/approle/role/authentik/secret-id-accessor/destroy', body: { secret_id_accessor: 'x' } }),
  },
  'approle-login': {
    async run(env, fx) {
      await env.enableApprole()
      await role(env)
      const s = await secretId(env)
      const id = await roleId(env)
      const r = await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: id, secret_id: s.secret_id } })
      expectShape(r, 200, fx.response_body_current_shape_example, ['$.auth.entity_id'])
      expect(r.body).toMatchObject({ auth: { policies: ['authentik-read', 'default'], metadata: { role_name: 'authentik' }, lease_duration: 3600, renewable: true, token_type: 'service' } })
      const withBadToken = await env.v('POST', 'auth/approle/login', { token: 'ignored-bogus', body: { role_id: id, secret_id: s.secret_id } })
      expect(withBadToken.status).toBe(200)
      expectError(await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: id, secret_id: 'wrong' } }), fx, 'wrong/expired/used-up')
      expectError(await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: 'wrong', secret_id: s.secret_id } }), fx, 'unknown role_id')
      expectError(await env.v('POST', 'auth/approle/login', { token: null, body: { secret_id: s.secret_id } }), fx, 'role_id missing')
      expectError(await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: id } }), fx, 'secret_id missing')
      const fenced = await secretId(env, 'authentik', { cidr_list: '10.0.0.0/8' })
      expectError(await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: id, secret_id: fenced.secret_id } }), fx, 'client IP outside', { ip: '127.0.0.1' })
    },
  },
}

async function roleId(env: ScenarioEnv, name = 'authentik'): Promise<string> {
  const r = await env.v('GET', `auth/approle/role/${name}/role-id`)
  return (r.body as { data: { role_id: string } }).data.role_id
}
