// KV v2 bookkeeping shared by the data and metadata endpoints (vault-plugin-secrets-kv semantics).
import { rfc3339 } from './clock.js'
import type { KvKey, KvVersion, ServerState } from './state.js'

// Whether a version reads as deleted now (deletion_time reached) or destroyed.
export function isGone(state: ServerState, v: KvVersion): boolean {
  return v.destroyed || (v.deletionTime !== null && v.deletionTime <= state.clock.now())
}

// The per-version metadata block returned by data reads/writes/patches.
export function versionMeta(key: KvKey, n: number): Record<string, unknown> {
  const v = key.versions.get(n)
  return {
    created_time: v ? rfc3339(v.createdTime) : '',
    custom_metadata: key.customMetadata,
    deletion_time: v?.deletionTime != null ? rfc3339(v.deletionTime) : '',
    destroyed: v?.destroyed ?? false,
    version: n,
  }
}

// An empty key (metadata only), as a metadata write or first data write creates it.
export function newKey(now: number): KvKey {
  return { createdTime: now, updatedTime: now, currentVersion: 0, oldestVersion: 0, maxVersions: 0, casRequired: false, deleteVersionAfter: 0, customMetadata: null, versions: new Map() }
}

// Appends a version, applies delete_version_after and trims to max_versions.
export function addVersion(state: ServerState, path: string, data: Record<string, unknown>): { key: KvKey; version: number } {
  const now = state.clock.now()
  const key = state.kv.get(path) ?? newKey(now)
  state.kv.set(path, key)
  const version = key.currentVersion + 1
  const dva = key.deleteVersionAfter || state.kvConfig.deleteVersionAfter
  key.versions.set(version, { data, createdTime: now, deletionTime: dva > 0 ? now + dva * 1000 : null, destroyed: false })
  key.currentVersion = version
  key.updatedTime = now
  const max = key.maxVersions || state.kvConfig.maxVersions
  const keepFrom = version - max + 1
  if (keepFrom > 1) {
    for (const n of [...key.versions.keys()]) if (n < keepFrom) key.versions.delete(n)
    key.oldestVersion = keepFrom
  } else if (key.oldestVersion === 0) key.oldestVersion = 1
  return { key, version }
}

// Integer list from {"versions":[1,2]} or "1,2".
export function versionList(raw: unknown): number[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : raw === undefined || raw === null ? [] : [raw]
  return items.map((x) => Number(String(x).trim())).filter((n) => Number.isInteger(n) && n > 0)
}

// RFC 7386 JSON merge patch.
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}
