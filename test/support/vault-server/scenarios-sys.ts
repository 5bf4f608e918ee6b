// Replay scenarios for the sys/, token and common-error fixtures.
import { expect } from 'vitest'
import { INVALID_TOKEN, PERMISSION_DENIED } from './envelope.js'
import { errorCase, expectError, expectShape, type Scenario, type ScenarioEnv } from './scenario-env.js'
import { rawRequest, type Fixture } from './test-client.js'

async function wrappedSecretId(env: ScenarioEnv): Promise<string> {
  await env.enableApprole()
  expect((await env.v('POST', 'auth/approle/role/authentik', { body: { token_policies: 'x' } })).status).toBe(204)
  const r = await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': '300' } })
  return (r.body as { wrap_info: { token: string } }).wrap_info.token
}

type Variant = { state: string; status: number; body: unknown }

// Scenarios by fixture id.
export const sysScenarios: Record<string, Scenario> = {
  'sys-auth-enable': {
    async run(env, fx) {
      const r = await env.v('POST', 'sys/auth/approle', { body: (fx.request as { body: unknown }).body })
      expect(r.status).toBe(204)
      expectError(await env.v('POST', 'sys/auth/approle', { body: { type: 'approle' } }), fx, 'already mounted')
      expectError(await env.v('POST', 'sys/auth/other', { body: { type: 'github' } }), fx, 'unknown plugin', { type: 'github' })
      const check = fx.idempotency_check as { response_status: number; response_body_docs_excerpt: unknown }
      const list = await env.v('GET', 'sys/auth')
      expectShape(list, check.response_status, check.response_body_docs_excerpt)
      expect(list.body).toMatchObject({ data: { 'approle/': { type: 'approle', description: 'AppRole for authctl' } }, 'approle/': { type: 'approle' } })
      await env.policy('no-sudo', 'path "sys/auth/*" { capabilities = ["create", "update"] }')
      const t = await env.token(['no-sudo'])
      expectError(await env.v('POST', 'sys/auth/second', { token: t, body: { type: 'approle' } }), fx, 'not sudo')
      await env.policy('sudo', 'path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }')
      const s = await env.token(['sudo'])
      expect((await env.v('POST', 'sys/auth/second', { token: s, body: { type: 'approle' } })).status).toBe(204)
    },
    probe: async () => ({ method: 'POST', path: 'sys/auth/third', body: { type: 'approle' } }),
  },
  'sys-health': {
    async run(env, fx) {
      expectShape(await env.v('GET', 'sys/health', { token: null }), 200, fx.response_body)
      const head = await fetch(`${env.server.addr}/v1/sys/health`, { method: 'HEAD' })
      expect([head.status, await head.text()]).toEqual([200, ''])
      const variants = fx.variants as Variant[]
      const variant = (s: string) => variants.find((v) => v.state.startsWith(s))!
      env.server.seal()
      const sealed = await env.v('GET', 'sys/health')
      expectShape(sealed, variant('sealed').status, variant('sealed').body)
      expect(Object.keys(sealed.body as object).sort()).toEqual(Object.keys(variant('sealed').body as object).sort())
      expect((await env.v('GET', 'sys/health?sealedcode=200')).status).toBe(200)
      const sealedHead = await fetch(`${env.server.addr}/v1/sys/health`, { method: 'HEAD' })
      expect([sealedHead.status, await sealedHead.text()]).toEqual([503, ''])
      env.server.unseal()
      env.server.setMode('uninitialized')
      expectShape(await env.v('GET', 'sys/health'), variant('not initialized').status, variant('not initialized').body)
      env.server.setMode('standby')
      const standby = await env.v('GET', 'sys/health')
      expect([standby.status, (standby.body as { standby: boolean }).standby]).toEqual([variant('unsealed standby').status, true])
      expect((await env.v('GET', 'sys/health?standbyok=true')).status).toBe(variant('standby with ?standbyok').status)
      expect((await env.v('GET', 'sys/health?standbyok')).status).toBe(200)
      expect((await env.v('GET', 'sys/health?standbycode=299')).status).toBe(299)
      env.server.setMode('perfstandby')
      const perf = await env.v('GET', 'sys/health')
      expect([perf.status, (perf.body as { performance_standby: boolean }).performance_standby]).toEqual([variant('performance standby').status, true])
      expect((await env.v('GET', 'sys/health?perfstandbyok=true')).status).toBe(200)
      env.server.setMode('drsecondary')
      expect((await env.v('GET', 'sys/health')).status).toBe(472)
      env.server.setMode('active')
      const bad = await env.v('GET', 'sys/health?sealedcode=abc')
      expect([bad.status, bad.body]).toEqual([variant('bad query').status, variant('bad query').body])
      expect((await env.v('GET', 'sys/health?activecode=204')).status).toBe(204)
    },
  },
  'sys-policies-acl-write': {
    async run(env, fx) {
      const body = (fx.request as { body_example_authctl: { policy: string } }).body_example_authctl
      expect((await env.v('PUT', 'sys/policies/acl/Deploy', { body })).status).toBe(204)
      const back = fx.read_back as { response_status: number }
      const read = await env.v('GET', 'sys/policies/acl/deploy')
      expect(read.status).toBe(back.response_status)
      expect(read.body).toMatchObject({ data: { name: 'deploy', policy: body.policy } })
      const b64 = Buffer.from(body.policy).toString('base64')
      expect((await env.v('PUT', 'sys/policies/acl/b64', { body: { policy: b64 } })).status).toBe(204)
      expect(((await env.v('GET', 'sys/policies/acl/b64')).body as { data: { policy: string } }).data.policy).toBe(body.policy)
      const list = await env.v('GET', 'sys/policies/acl?list=true')
      expect((list.body as { data: { keys: string[] } }).data.keys).toEqual(['b64', 'default', 'deploy', 'root'])
      expectError(await env.v('PUT', 'sys/policies/acl/x', { body: { policy: '' } }), fx, 'policy field missing')
      expectError(await env.v('PUT', 'sys/policies/acl/x', { body: {} }), fx, 'policy field missing')
      const unparsable = await env.v('PUT', 'sys/policies/acl/x', { body: { policy: 'path "a" { capabilities = [' } })
      expect(unparsable.status).toBe(errorCase(fx, 'HCL does not parse').status)
      expect((unparsable.body as { errors: string[] }).errors[0]).toMatch(/^failed to parse policy: /)
      expectError(await env.v('PUT', 'sys/policies/acl/x', { body: { policy: 'path "secret/data/+*" { capabilities = ["read"] }' } }), fx, "'+*' in a path")
      expectError(await env.v('PUT', 'sys/policies/acl/x', { body: { policy: 'path "secret/x" { capabilities = ["banana"] }' } }), fx, 'unknown capability')
      expectError(await env.v('PUT', 'sys/policies/acl/root', { body }), fx, "name is 'root'")
      expect((await env.v('DELETE', 'sys/policies/acl/deploy')).status).toBe(204)
      expect((await env.v('GET', 'sys/policies/acl/deploy')).body).toEqual({ errors: [] })
    },
    probe: async () => ({ method: 'PUT', path: 'sys/policies/acl/probe', body: { policy: 'path "a" { capabilities = ["read"] }' } }),
  },
  'sys-wrapping-lookup': {
    async run(env, fx) {
      const wrapping = await wrappedSecretId(env)
      const r = await env.v('POST', 'sys/wrapping/lookup', { token: null, body: { token: wrapping } })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { creation_path: 'auth/approle/role/authentik/secret-id', creation_ttl: 300 } })
      const viaHeader = await env.v('GET', 'sys/wrapping/lookup', { token: wrapping })
      expect(viaHeader.status).toBe(200)
      expect((await env.v('POST', 'sys/wrapping/unwrap', { token: wrapping })).status).toBe(200)
      expectError(await env.v('POST', 'sys/wrapping/lookup', { token: null, body: { token: wrapping } }), fx, 'already unwrapped')
      expectError(await env.v('POST', 'sys/wrapping/lookup', { token: null, body: { token: 'nope' } }), fx, 'already unwrapped')
    },
  },
  'sys-wrapping-unwrap': {
    async run(env, fx) {
      const a = await wrappedSecretId(env)
      const ra = await env.v('POST', 'sys/wrapping/unwrap', { token: a })
      expectShape(ra, 200, fx.response_body_for_wrapped_secret_id)
      expect(ra.body).toMatchObject({ data: { secret_id_ttl: 0, secret_id_num_uses: 0 }, mount_type: 'approle' })
      expectError(await env.v('POST', 'sys/wrapping/unwrap', { token: a }), fx, 'wrapping token unknown')
      const b = (await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': '60s' } })).body as { wrap_info: { token: string } }
      const other = await env.token([])
      const rb = await env.v('POST', 'sys/wrapping/unwrap', { token: other, body: { token: b.wrap_info.token } })
      expectShape(rb, 200, fx.response_body_for_wrapped_secret_id)
      expectError(await env.v('POST', 'sys/wrapping/unwrap', { token: other, body: { token: b.wrap_info.token } }), fx, 'wrapping token unknown')
      const c = (await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': '60s' } })).body as { wrap_info: { token: string } }
      expectError(await env.v('POST', 'sys/wrapping/unwrap', { token: c.wrap_info.token, body: { token: c.wrap_info.token } }), fx, 'wrapping token unknown')
      expectError(await env.v('POST', 'sys/wrapping/unwrap', { token: null, body: {} }), fx, 'no token in header or body')
      const d = (await env.v('POST', 'auth/approle/role/authentik/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': '60s' } })).body as { wrap_info: { token: string } }
      env.server.clock.advance(61_000)
      expectError(await env.v('POST', 'sys/wrapping/unwrap', { token: other, body: { token: d.wrap_info.token } }), fx, 'wrapping token unknown')
    },
  },
  'token-lookup-self': {
    async run(env, fx) {
      const t = await env.token(['p1'], { ttl: '1h', meta: { username: 'tesla' } })
      const r = await env.v('GET', 'auth/token/lookup-self', { token: t })
      expectShape(r, 200, fx.response_body, ['$.data.identity_policies'])
      expect(r.body).toMatchObject({ data: { policies: ['default', 'p1'], creation_ttl: 3600, renewable: true, meta: { username: 'tesla' } } })
      expect((r.body as { data: { ttl: number } }).data.ttl).toBeGreaterThanOrEqual(3599)
      const root = await env.v('GET', 'auth/token/lookup-self')
      expect(root.body).toMatchObject({ data: { policies: ['root'], ttl: 0, expire_time: null } })
      expectError(await env.v('GET', 'auth/token/lookup-self', { token: 'hvs.bogus' }), fx, 'token invalid')
      const bare = await env.token(['p1'], { no_default_policy: true })
      expectError(await env.v('GET', 'auth/token/lookup-self', { token: bare }), fx, 'token_no_default_policy')
      env.server.clock.advance(3601_000)
      expectError(await env.v('GET', 'auth/token/lookup-self', { token: t }), fx, 'token invalid')
    },
  },
  'common-errors': { run: commonErrors },
}

async function commonErrors(env: ScenarioEnv, fx: Fixture): Promise<void> {
  const catalog = (fx as unknown as { catalog: { case: string; status: number; body: unknown }[] }).catalog
  const entry = (s: string) => catalog.find((c) => c.case.startsWith(s))!
  const same = (r: { status: number; body: unknown }, s: string) => expect([r.status, r.body]).toEqual([entry(s).status, entry(s).body])
  const weak = await env.token([])
  same(await env.v('GET', 'secret/data/x', { token: weak }), 'permission denied')
  same(await env.v('GET', 'secret/data/x', { token: 'hvs.nope' }), 'invalid / expired')
  same(await env.v('GET', 'secret/data/x', { token: null }), 'invalid / expired')
  await env.enableApprole()
  await env.v('POST', 'auth/approle/role/r', { body: {} })
  same(await env.v('POST', 'auth/approle/login', { token: null, body: { role_id: 'x', secret_id: 'y' } }), 'AppRole login')
  same(await env.v('GET', 'secret/data/missing'), 'read of a missing')
  expect((await env.v('GET', 'foo/bar')).body).toEqual(entry('no mount').body)
  same(await env.v('DELETE', 'auth/approle/role/r/role-id'), 'operation not supported')
  await env.v('POST', 'secret/data/k', { body: { data: { a: 1 } } })
  same(await env.v('PATCH', 'secret/data/k', { body: { data: { a: 2 } } }), 'PATCH with wrong')
  same(await env.v('POST', 'secret/data/k', { body: { data: { a: 2 }, options: { cas: 7 } } }), 'KV v2 check-and-set mismatch')
  await env.v('POST', 'secret/config', { body: { cas_required: true } })
  same(await env.v('POST', 'secret/data/k', { body: { data: { a: 2 } } }), 'KV v2 check-and-set required')
  same(await env.v('POST', 'sys/wrapping/unwrap', { body: { token: 'nope' } }), 'invalid / used wrapping')
  same(await env.v('POST', 'secret/data/k', { rawBody: 'not json', headers: { 'Content-Type': 'application/json' } }), 'request body not JSON')
  same(await rawRequest(env.server.addr, 'TRACE', '/v1/secret/data/k', env.root), 'unknown HTTP method')
  env.server.seal()
  same(await env.v('GET', 'secret/data/k'), 'sealed')
  env.server.unseal()
  expect(PERMISSION_DENIED).toBe((entry('permission denied').body as { errors: string[] }).errors[0])
  expect(INVALID_TOKEN).toBe((entry('invalid / expired').body as { errors: string[] }).errors[0])
}
