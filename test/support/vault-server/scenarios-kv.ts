// Replay scenarios for the KV v2 fixtures.
import { expect } from 'vitest'
import { errorCase, expectError, expectShape, type Scenario, type ScenarioEnv } from './scenario-env.js'

const P = 'cwiq/shared/authentik/admin'
const MERGE = { 'Content-Type': 'application/merge-patch+json' }

async function put(env: ScenarioEnv, data: Record<string, unknown>, path = P, cas?: number): Promise<number> {
  const r = await env.v('POST', `secret/data/${path}`, { body: cas === undefined ? { data } : { data, options: { cas } } })
  expect(r.status, r.text).toBe(200)
  return (r.body as { data: { version: number } }).data.version
}

async function customMeta(env: ScenarioEnv, path = P): Promise<void> {
  const r = await env.v('POST', `secret/metadata/${path}`, { body: { custom_metadata: { owner: 'jdoe', mission_critical: 'false' } } })
  expect(r.status).toBe(204)
}

// Scenarios by fixture id.
export const kvScenarios: Record<string, Scenario> = {
  'kv2-data-read': {
    async run(env, fx) {
      await customMeta(env)
      await put(env, { foo: 'old' })
      await put(env, { foo: 'bar' })
      const r = await env.v('GET', `secret/data/${P}?version=2`)
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { data: { foo: 'bar' }, metadata: { version: 2, deletion_time: '', destroyed: false } }, mount_type: 'kv' })
      expect((await env.v('GET', `secret/data/${P}?version=1`)).body).toMatchObject({ data: { data: { foo: 'old' } } })
      expectError(await env.v('GET', 'secret/data/never/written'), fx, 'key never written')
      expectError(await env.v('GET', `secret/data/${P}?version=9`), fx, 'key never written')
      expect((await env.v('DELETE', `secret/data/${P}`)).status).toBe(204)
      const deleted = await env.v('GET', `secret/data/${P}`)
      const soft = errorCase(fx, 'soft-deleted')
      expectShape(deleted, soft.status, soft.body, ['$.data.metadata.custom_metadata'])
      expect(deleted.body).toMatchObject({ data: { data: null, metadata: { version: 2, destroyed: false } } })
      expect((deleted.body as { data: { metadata: { deletion_time: string } } }).data.metadata.deletion_time).not.toBe('')
      expect((await env.v('PUT', `secret/destroy/${P}`, { body: { versions: [1] } })).status).toBe(204)
      const destroyed = await env.v('GET', `secret/data/${P}?version=1`)
      expect(destroyed.status).toBe(errorCase(fx, 'version destroyed').status)
      expect(destroyed.body).toMatchObject({ data: { data: null, metadata: { version: 1, destroyed: true, deletion_time: '' } } })
      const wrong = await env.v('GET', 'secret/foo')
      expectShape(wrong, 404, errorCase(fx, 'missing the data/ segment').body)
      expect(wrong.body).toMatchObject({ data: null, warnings: (errorCase(fx, 'missing the data/ segment').body as { warnings: string[] }).warnings })
      expectError(await env.v('GET', 'nomount/data/x'), fx, 'mount does not exist')
    },
    probe: async (env) => {
      await put(env, { foo: 'bar' })
      return { method: 'GET', path: `secret/data/${P}` }
    },
  },
  'kv2-data-write': {
    async run(env, fx) {
      await customMeta(env)
      const body = (fx.request as { body: unknown }).body
      const r = await env.v('POST', `secret/data/${P}`, { body })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { version: 1, custom_metadata: { owner: 'jdoe' } } })
      expectError(await env.v('POST', `secret/data/${P}`, { body }), fx, 'cas given but')
      expectError(await env.v('POST', `secret/data/${P}`, { body: { data: { a: 1 }, options: { cas: 5 } } }), fx, 'cas given but')
      expectError(await env.v('POST', 'secret/data/brand/new', { body: { data: { a: 1 }, options: { cas: 1 } } }), fx, 'cas given but')
      expect((await env.v('POST', `secret/metadata/${P}`, { body: { cas_required: true } })).status).toBe(204)
      expectError(await env.v('POST', `secret/data/${P}`, { body: { data: { a: 1 } } }), fx, 'cas omitted')
      expectError(await env.v('POST', `secret/data/${P}`, { body: { data: { a: 1 }, options: { cas: 'one' } } }), fx, 'cas not an integer')
      expectError(await env.v('POST', `secret/data/${P}`, { body: { options: { cas: 1 } } }), fx, 'no data field')
      expectError(await env.v('POST', `secret/data/${P}`, { rawBody: '{"data":', headers: { 'Content-Type': 'application/json' } }), fx, 'not valid JSON')
    },
    probe: async () => ({ method: 'POST', path: `secret/data/${P}`, body: { data: { a: 'b' } } }),
  },
  'kv2-data-patch': {
    async run(env, fx) {
      await customMeta(env)
      await put(env, { foo: 'x', keep: 'y', bar: { old: 'z' } })
      const body = (fx.request as { body: unknown }).body
      const r = await env.v('PATCH', `secret/data/${P}`, { body, headers: MERGE })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { version: 2 } })
      const read = await env.v('GET', `secret/data/${P}`)
      expect((read.body as { data: { data: unknown } }).data.data).toEqual({ foo: 'a', keep: 'y', bar: { old: 'z', baz: 'b' } })
      await env.v('PATCH', `secret/data/${P}`, { body: { data: { keep: null } }, headers: MERGE })
      expect(((await env.v('GET', `secret/data/${P}`)).body as { data: { data: Record<string, unknown> } }).data.data).not.toHaveProperty('keep')
      expectError(await env.v('PATCH', `secret/data/${P}`, { body, headers: { 'Content-Type': 'application/json' } }), fx, 'Content-Type is anything other')
      expectError(await env.v('PATCH', `secret/data/${P}`, { rawBody: JSON.stringify(body) }), fx, 'Content-Type header missing')
      const missing = await env.v('PATCH', 'secret/data/not/there', { body, headers: MERGE })
      expect(missing.status).toBe(errorCase(fx, 'key does not exist').status)
      expect(missing.text).toBe('')
      expectError(await env.v('PATCH', `secret/data/${P}`, { body: { data: { a: 1 }, options: { cas: 1 } }, headers: MERGE }), fx, 'cas mismatch')
      expectError(await env.v('PATCH', `secret/data/${P}`, { body: { options: { cas: 3 } }, headers: MERGE }), fx, 'no data field')
      await env.v('POST', `secret/metadata/${P}`, { body: { cas_required: true } })
      expectError(await env.v('PATCH', `secret/data/${P}`, { body: { data: { a: 1 } }, headers: MERGE }), fx, 'cas required but absent')
      await env.v('DELETE', `secret/data/${P}`)
      const gone = await env.v('PATCH', `secret/data/${P}`, { body: { data: { a: 1 }, options: { cas: 3 } }, headers: MERGE })
      const ec = errorCase(fx, 'soft-deleted or destroyed')
      expectShape(gone, ec.status, ec.body, ['$.data.custom_metadata'])
      const updater = await env.token(['kv-update'])
      await env.policy('kv-update', `path "secret/data/*" { capabilities = ["read", "update"] }`)
      expectError(await env.v('PATCH', `secret/data/${P}`, { token: updater, body: { data: { a: 1 } }, headers: MERGE }), fx, 'update but not patch')
    },
    probe: async (env) => {
      await put(env, { foo: 'x' })
      return { method: 'PATCH', path: `secret/data/${P}`, body: { data: { foo: 'y' } }, headers: MERGE }
    },
  },
  'kv2-data-delete-latest': {
    async run(env, fx) {
      await put(env, { a: '1' })
      const r = await env.v('DELETE', `secret/data/${P}`)
      expect(r.status).toBe(fx.response_status)
      expect(r.text).toBe('')
      expect((await env.v('GET', `secret/data/${P}`)).status).toBe(404)
      expect((await env.v('POST', `secret/undelete/${P}`, { body: { versions: [1] } })).status).toBe(204)
      expect((await env.v('GET', `secret/data/${P}`)).status).toBe(200)
      expect((await env.v('DELETE', 'secret/data/never/was')).status).toBe(204)
    },
    probe: async () => ({ method: 'DELETE', path: `secret/data/${P}` }),
  },
  'kv2-delete-versions': versionsScenario('delete'),
  'kv2-undelete-versions': versionsScenario('undelete'),
  'kv2-destroy-versions': versionsScenario('destroy'),
  'kv2-metadata-list': {
    async run(env, fx) {
      await put(env, { a: '1' }, 'cwiq/shared/foo')
      await put(env, { a: '1' }, 'cwiq/shared/foo/bar')
      const r = await env.v('GET', 'secret/metadata/cwiq/shared?list=true')
      expectShape(r, 200, fx.response_body)
      expect((r.body as { data: { keys: string[] } }).data.keys).toEqual(['foo', 'foo/'])
      expect(((await env.v('GET', 'secret/metadata/cwiq/shared/?list=true')).body as { data: { keys: string[] } }).data.keys).toEqual(['foo', 'foo/'])
      expectError(await env.v('GET', 'secret/metadata/nothing?list=true'), fx, 'nothing under the prefix')
      expect((await env.v('GET', 'secret/metadata/cwiq/shared/foo/bar?list=true')).status).toBe(404)
    },
    probe: async () => ({ method: 'GET', path: 'secret/metadata/cwiq/shared?list=true' }),
  },
  'kv2-metadata-read': {
    async run(env, fx) {
      await env.v('POST', `secret/metadata/${P}`, { body: { custom_metadata: { foo: 'abc', bar: '123', baz: 'b' }, delete_version_after: '3h25m19s' } })
      for (let i = 0; i < 3; i++) await put(env, { n: String(i) })
      const r = await env.v('GET', `secret/metadata/${P}`)
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { current_version: 3, oldest_version: 1, delete_version_after: '3h25m19s', max_versions: 0, cas_required: false } })
      expect(Object.keys((r.body as { data: { versions: object } }).data.versions)).toEqual(['1', '2', '3'])
      expectError(await env.v('GET', 'secret/metadata/no/such'), fx, 'key has no metadata')
    },
    probe: async () => ({ method: 'GET', path: `secret/metadata/${P}` }),
  },
  'kv2-metadata-write': {
    async run(env, fx) {
      const r = await env.v('POST', `secret/metadata/${P}`, { body: (fx.request as { body: unknown }).body })
      expect(r.status).toBe(204)
      const read = await env.v('GET', `secret/metadata/${P}`)
      expect(read.body).toMatchObject({ data: { max_versions: 5, delete_version_after: '3h25m19s', current_version: 0, custom_metadata: { foo: 'abc' } } })
      for (let i = 0; i < 7; i++) await put(env, { n: String(i) })
      expect(((await env.v('GET', `secret/metadata/${P}`)).body as { data: { oldest_version: number } }).data.oldest_version).toBe(3)
      const bad = await env.v('POST', `secret/metadata/${P}`, { body: { custom_metadata: { k: 'x'.repeat(513) } } })
      expect(bad.status).toBe(errorCase(fx, 'custom_metadata fails').status)
      expect((bad.body as { errors: string[] }).errors[0]).toMatch(/^custom_metadata validation failed: /)
      const patched = await env.v('PATCH', `secret/metadata/${P}`, { body: { custom_metadata: { bar: null, extra: 'e' } }, headers: MERGE })
      expect(patched.status).toBe(204)
      expect(((await env.v('GET', `secret/metadata/${P}`)).body as { data: { custom_metadata: unknown } }).data.custom_metadata).toEqual({ foo: 'abc', baz: '5c07d823-3810-48f6-a147-4c06b5219e84', extra: 'e' })
      const missing = await env.v('PATCH', 'secret/metadata/no/such', { body: { max_versions: 1 }, headers: MERGE })
      expect([missing.status, missing.text]).toEqual([404, ''])
    },
    probe: async () => ({ method: 'POST', path: `secret/metadata/${P}`, body: { max_versions: 3 } }),
  },
  'kv2-rollback-flow': {
    async run(env, fx) {
      for (let i = 1; i <= 5; i++) await put(env, { v: String(i) })
      const latest = await env.v('GET', `secret/data/${P}`)
      const cas = (latest.body as { data: { metadata: { version: number } } }).data.metadata.version
      const old = await env.v('GET', `secret/data/${P}?version=2`)
      const oldData = (old.body as { data: { data: unknown; metadata: { deletion_time: string; destroyed: boolean } } }).data
      expect(oldData.metadata).toMatchObject({ deletion_time: '', destroyed: false })
      await put(env, { v: 'concurrent' })
      expectError(await env.v('POST', `secret/data/${P}`, { body: { data: oldData.data, options: { cas } } }), fx, 'someone wrote')
      const r = await env.v('POST', `secret/data/${P}`, { body: { data: oldData.data, options: { cas: cas + 1 } } })
      expectShape(r, 200, fx.response_body)
      expect(r.body).toMatchObject({ data: { version: 7 } })
      expect(((await env.v('GET', `secret/data/${P}`)).body as { data: { data: unknown } }).data.data).toEqual({ v: '2' })
    },
  },
}

function versionsScenario(action: 'delete' | 'undelete' | 'destroy'): Scenario {
  return {
    async run(env, fx) {
      await put(env, { a: '1' })
      await put(env, { a: '2' })
      if (action === 'undelete') await env.v('POST', `secret/delete/${P}`, { body: { versions: [1, 2] } })
      const r = await env.v(fx.method, `secret/${action}/${P}`, { body: (fx.request as { body: unknown }).body })
      expect(r.status).toBe(fx.response_status)
      const meta = ((await env.v('GET', `secret/metadata/${P}`)).body as { data: { versions: Record<string, { deletion_time: string; destroyed: boolean }> } }).data.versions
      for (const n of ['1', '2']) {
        if (action === 'delete') expect(meta[n]?.deletion_time).not.toBe('')
        if (action === 'undelete') expect(meta[n]?.deletion_time).toBe('')
        if (action === 'destroy') expect(meta[n]?.destroyed).toBe(true)
      }
      expectError(await env.v('POST', `secret/${action}/${P}`, { body: { versions: [] } }), fx, 'versions missing')
      expectError(await env.v('POST', `secret/${action}/${P}`, { body: {} }), fx, 'versions missing')
      if (action === 'destroy') expect((await env.v('POST', `secret/undelete/${P}`, { body: { versions: [1] } })).status).toBe(204)
      if (action === 'destroy') expect((await env.v('GET', `secret/data/${P}?version=1`)).status).toBe(404)
      expect((await env.v('POST', `secret/${action}/no/key`, { body: { versions: [1] } })).status).toBe(204)
    },
    probe: async () => ({ method: 'POST', path: `secret/${action}/${P}`, body: { versions: [1] } }),
  }
}
