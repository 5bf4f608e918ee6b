// KV v2 data/, delete/, undelete/, destroy/ endpoints.
import { envelope, fail, noContent, type Reply } from './envelope.js'
import { addVersion, isGone, mergePatch, versionList, versionMeta } from './kv-store.js'
import type { Ctx, Route } from './route.js'

const MOUNT_TYPE = 'kv'

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// secret/data/<p>: read by version, write with cas, PATCH merge-patch, DELETE latest.
export function dataRoute(p: string): Route {
  return {
    exists: (ctx) => ctx.state.kv.has(p),
    read: (ctx) => readData(ctx, p),
    write: (ctx) => writeData(ctx, p),
    patch: (ctx) => patchData(ctx, p),
    delete: (ctx) => {
      const key = ctx.state.kv.get(p)
      const v = key?.versions.get(key.currentVersion)
      if (v && !isGone(ctx.state, v)) v.deletionTime = ctx.state.clock.now()
      return noContent()
    },
  }
}

function readData(ctx: Ctx, p: string): Reply {
  const raw = ctx.query.get('version')
  const asked = raw === null || raw === '' ? 0 : Number(raw)
  if (!Number.isInteger(asked) || asked < 0) return fail(400, 'error parsing version')
  const key = ctx.state.kv.get(p)
  if (!key || key.currentVersion === 0) return fail(404)
  const n = asked === 0 ? key.currentVersion : asked
  const v = key.versions.get(n)
  if (!v) return fail(404)
  if (isGone(ctx.state, v)) return { status: 404, body: envelope({ data: { data: null, metadata: versionMeta(key, n) } }) }
  return { status: 200, body: envelope({ data: { data: v.data, metadata: versionMeta(key, n) }, mountType: MOUNT_TYPE }) }
}

// The cas rules shared by write and patch; null when the request may proceed.
function casError(ctx: Ctx, p: string): Reply | null {
  const options = ctx.body.options
  const raw = isObject(options) ? options.cas : undefined
  const key = ctx.state.kv.get(p)
  const required = (key?.casRequired ?? false) || ctx.state.kvConfig.casRequired
  if (raw === undefined || raw === null) return required ? fail(400, 'check-and-set parameter required for this call') : null
  const cas = typeof raw === 'number' ? raw : Number(String(raw))
  if (!Number.isInteger(cas)) return fail(400, 'error parsing check-and-set parameter')
  if (cas !== (key?.currentVersion ?? 0)) return fail(400, 'check-and-set parameter did not match the current version')
  return null
}

function writeData(ctx: Ctx, p: string): Reply {
  if (!isObject(ctx.body.data)) return fail(400, 'no data provided')
  const err = casError(ctx, p)
  if (err) return err
  const { key, version } = addVersion(ctx.state, p, ctx.body.data)
  return { status: 200, body: envelope({ data: versionMeta(key, version), mountType: MOUNT_TYPE }) }
}

function patchData(ctx: Ctx, p: string): Reply {
  const key = ctx.state.kv.get(p)
  if (!key || key.currentVersion === 0) return { status: 404, raw: '' }
  if (!isObject(ctx.body.data)) return fail(400, 'no data provided')
  const err = casError(ctx, p)
  if (err) return err
  const current = key.versions.get(key.currentVersion)
  if (!current || isGone(ctx.state, current)) return { status: 404, body: envelope({ data: versionMeta(key, key.currentVersion) }) }
  const merged = mergePatch(current.data ?? {}, ctx.body.data) as Record<string, unknown>
  const { version } = addVersion(ctx.state, p, merged)
  return { status: 200, body: envelope({ data: versionMeta(key, version), mountType: MOUNT_TYPE }) }
}

// secret/{delete,undelete,destroy}/<p> with {"versions":[…]}.
export function versionsRoute(action: 'delete' | 'undelete' | 'destroy', p: string): Route {
  return {
    write: (ctx) => {
      const versions = versionList(ctx.body.versions)
      if (versions.length === 0) return fail(400, action === 'destroy' ? 'no version number provided' : 'No version number provided')
      const key = ctx.state.kv.get(p)
      if (!key) return noContent()
      const now = ctx.state.clock.now()
      for (const n of versions) {
        const v = key.versions.get(n)
        if (!v || v.destroyed) continue
        if (action === 'delete' && !isGone(ctx.state, v)) v.deletionTime = now
        if (action === 'undelete') v.deletionTime = null
        if (action === 'destroy') {
          v.destroyed = true
          v.data = null
          v.deletionTime = null
        }
      }
      key.updatedTime = now
      return noContent()
    },
  }
}
