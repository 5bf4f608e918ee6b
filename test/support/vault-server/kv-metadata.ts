// KV v2 metadata/ and config endpoints: read, write, merge-patch, delete, list.
import { rfc3339 } from './clock.js'
import { formatGoDuration, parseDurationSeconds } from './duration.js'
import { fail, noContent, ok, type Reply } from './envelope.js'
import { mergePatch, newKey } from './kv-store.js'
import { int, parseBool, type Ctx, type Route } from './route.js'
import type { KvKey } from './state.js'

// secret/metadata/<p> (p may be a folder for LIST).
export function metadataRoute(p: string): Route {
  return {
    exists: (ctx) => ctx.state.kv.has(p),
    read: (ctx) => {
      const key = ctx.state.kv.get(p)
      return key ? ok(metadataView(key), 'kv') : fail(404)
    },
    list: (ctx) => listKeys(ctx, p),
    write: (ctx) => writeMetadata(ctx, p, false),
    patch: (ctx) => (ctx.state.kv.has(p) ? writeMetadata(ctx, p, true) : { status: 404, raw: '' }),
    delete: (ctx) => {
      ctx.state.kv.delete(p)
      return noContent()
    },
  }
}

function metadataView(key: KvKey): Record<string, unknown> {
  const versions: Record<string, unknown> = {}
  for (const [n, v] of [...key.versions].sort((a, b) => a[0] - b[0])) {
    versions[String(n)] = { created_time: rfc3339(v.createdTime), deletion_time: v.deletionTime === null ? '' : rfc3339(v.deletionTime), destroyed: v.destroyed }
  }
  return {
    cas_required: key.casRequired,
    created_time: rfc3339(key.createdTime),
    current_version: key.currentVersion,
    custom_metadata: key.customMetadata,
    delete_version_after: formatGoDuration(key.deleteVersionAfter),
    max_versions: key.maxVersions,
    oldest_version: key.oldestVersion,
    updated_time: rfc3339(key.updatedTime),
    versions,
  }
}

function validateCustom(raw: unknown): Record<string, string> | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'custom_metadata validation failed: must be a map of strings'
  const entries = Object.entries(raw)
  const problems: string[] = []
  if (entries.length > 64) problems.push(`payload must contain at most 64 keys, provided ${entries.length}`)
  for (const [k, v] of entries) {
    if (typeof v !== 'string') problems.push(`value for key "${k}" is not a string`)
    else if (Buffer.byteLength(v) > 512) problems.push(`length of value for key "${k}" is ${Buffer.byteLength(v)} which exceeds the limit of 512`)
    if (Buffer.byteLength(k) > 128) problems.push(`length of key "${k}" is ${Buffer.byteLength(k)} which exceeds the limit of 128`)
  }
  return problems.length ? `custom_metadata validation failed: ${problems.join('; ')}` : (raw as Record<string, string>)
}

function writeMetadata(ctx: Ctx, p: string, patch: boolean): Reply {
  const now = ctx.state.clock.now()
  const key = ctx.state.kv.get(p) ?? newKey(now)
  const b = ctx.body
  const next: KvKey = { ...key }
  const max = int(b, 'max_versions')
  if (max !== undefined) {
    if (Number.isNaN(max) || max < 0) return fail(400, 'max_versions must be a non-negative integer')
    next.maxVersions = max
  }
  const cas = parseBool(b.cas_required)
  if (cas === null) return fail(400, 'cas_required must be a boolean')
  if (cas !== undefined) next.casRequired = cas
  if (b.delete_version_after !== undefined) {
    try {
      next.deleteVersionAfter = parseDurationSeconds(b.delete_version_after)
    } catch (e) {
      return fail(400, (e as Error).message)
    }
  }
  if (b.custom_metadata !== undefined) {
    const merged = patch && b.custom_metadata !== null ? mergePatch(key.customMetadata ?? {}, b.custom_metadata) : b.custom_metadata
    const checked = merged === null ? null : validateCustom(merged)
    if (typeof checked === 'string') return fail(400, checked)
    next.customMetadata = checked
  }
  next.updatedTime = now
  ctx.state.kv.set(p, next)
  return noContent()
}

// LIST: immediate children of a folder; leaves as names, sub-folders with a trailing "/".
function listKeys(ctx: Ctx, p: string): Reply {
  const prefix = p === '' || p.endsWith('/') ? p : `${p}/`
  const keys = new Set<string>()
  for (const path of ctx.state.kv.keys()) {
    if (!path.startsWith(prefix)) continue
    const rest = path.slice(prefix.length)
    const slash = rest.indexOf('/')
    keys.add(slash < 0 ? rest : rest.slice(0, slash + 1))
  }
  return keys.size === 0 ? fail(404) : ok({ keys: [...keys].sort() }, 'kv')
}

// secret/config: mount-wide max_versions, cas_required, delete_version_after.
export const configRoute: Route = {
  exists: () => true,
  read: (ctx) => ok({ cas_required: ctx.state.kvConfig.casRequired, delete_version_after: formatGoDuration(ctx.state.kvConfig.deleteVersionAfter), max_versions: ctx.state.kvConfig.maxVersions }, 'kv'),
  write: (ctx) => {
    const c = ctx.state.kvConfig
    const max = int(ctx.body, 'max_versions')
    if (max !== undefined && !Number.isNaN(max)) c.maxVersions = max
    const cas = parseBool(ctx.body.cas_required)
    if (cas !== undefined && cas !== null) c.casRequired = cas
    if (ctx.body.delete_version_after !== undefined) c.deleteVersionAfter = parseDurationSeconds(ctx.body.delete_version_after)
    return noContent()
  },
}
