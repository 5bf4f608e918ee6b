// KV v2 reads and writes: versioned read, write with check-and-set, merge-patch, metadata, list.
// Values come back as Secret; values sent are scrubbed from any error text.
import { Secret } from '../util/secret.js'
import { vaultPath } from './paths.js'
import { asNumber, asObject, asStringList, asStringMap, asTime, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// Metadata of one version.
export interface KvVersionMeta {
  version: number
  createdTime: Date | null
  deletionTime: Date | null
  destroyed: boolean
  customMetadata: Record<string, string>
}

// A read version: data is null when that version is soft-deleted or destroyed.
export interface KvEntry {
  data: Record<string, Secret> | null
  meta: KvVersionMeta
}

// Key-level metadata (secret/metadata/<path>).
export interface KvMetadata {
  currentVersion: number
  oldestVersion: number
  maxVersions: number
  casRequired: boolean
  createdTime: Date | null
  updatedTime: Date | null
  customMetadata: Record<string, string>
  versions: Map<number, { createdTime: Date | null; deletionTime: Date | null; destroyed: boolean }>
}

// Values a caller may write: Secret for credentials, plain strings for non-secret fields (kvPatch also takes null to remove a key).
export type KvValue = Secret | string

function versionMeta(v: unknown, at: string): KvVersionMeta {
  const m = asObject(v, at)
  return { version: asNumber(m.version, `${at} version`), createdTime: asTime(m.created_time), deletionTime: asTime(m.deletion_time), destroyed: m.destroyed === true, customMetadata: asStringMap(m.custom_metadata, `${at} custom_metadata`) }
}

function reveal(data: Record<string, KvValue | null>): { plain: Record<string, string | null>; secrets: Secret[] } {
  const plain: Record<string, string | null> = {}
  const secrets: Secret[] = []
  for (const [k, v] of Object.entries(data)) {
    if (v instanceof Secret) secrets.push(v)
    plain[k] = v === null ? null : v instanceof Secret ? v.reveal() : v
  }
  return { plain, secrets }
}

// GET <mount>/data/<path>[?version=N]; null when the key or version does not exist.
export async function kvRead(t: VaultTransport, mount: string, path: string, version?: number): Promise<KvEntry | null> {
  const p = vaultPath(mount, 'data', path)
  const r = await t.send({ method: 'GET', path: p, query: version ? { version: String(version) } : undefined, accept: [404] })
  const body = r.body === null ? null : asObject(r.body, p)
  if (r.status === 404) {
    // Deleted/destroyed versions answer 404 with the envelope and their metadata; a missing key with {"errors":[]}.
    const d = body?.data as { metadata?: unknown } | null | undefined
    return d?.metadata ? { data: null, meta: versionMeta(d.metadata, `${p} metadata`) } : null
  }
  const d = dataOf(body, p)
  const raw = asObject(d.data, `${p} data`)
  const data: Record<string, Secret> = {}
  for (const [k, v] of Object.entries(raw)) data[k] = new Secret(typeof v === 'string' ? v : JSON.stringify(v))
  return { data, meta: versionMeta(d.metadata, `${p} metadata`) }
}

// POST <mount>/data/<path>: a complete new version; cas 0 = only if the key does not exist.
export async function kvWrite(t: VaultTransport, mount: string, path: string, data: Record<string, KvValue>, opts: { cas?: number } = {}): Promise<KvVersionMeta> {
  const p = vaultPath(mount, 'data', path)
  const { plain, secrets } = reveal(data)
  const body = opts.cas === undefined ? { data: plain } : { data: plain, options: { cas: opts.cas } }
  const r = await t.send({ method: 'POST', path: p, body, secrets, capability: 'create/update' })
  return versionMeta(dataOf(r.body, p), p)
}

// PATCH <mount>/data/<path> (JSON merge patch; null removes a key); needs the `patch` capability.
export async function kvPatch(t: VaultTransport, mount: string, path: string, data: Record<string, KvValue | null>, cas?: number): Promise<KvVersionMeta> {
  const p = vaultPath(mount, 'data', path)
  const { plain, secrets } = reveal(data)
  const body = cas === undefined ? { data: plain } : { data: plain, options: { cas } }
  const r = await t.send({ method: 'PATCH', path: p, body, secrets })
  return versionMeta(dataOf(r.body, p), p)
}

// GET <mount>/metadata/<path>; null when the key does not exist.
export async function kvMetadata(t: VaultTransport, mount: string, path: string): Promise<KvMetadata | null> {
  const p = vaultPath(mount, 'metadata', path)
  const r = await t.send({ method: 'GET', path: p, accept: [404] })
  if (r.status === 404) return null
  const d = dataOf(r.body, p)
  const versions = new Map<number, { createdTime: Date | null; deletionTime: Date | null; destroyed: boolean }>()
  for (const [n, v] of Object.entries(asObject(d.versions ?? {}, `${p} versions`))) {
    const o = asObject(v, `${p} versions.${n}`)
    versions.set(Number(n), { createdTime: asTime(o.created_time), deletionTime: asTime(o.deletion_time), destroyed: o.destroyed === true })
  }
  return {
    currentVersion: asNumber(d.current_version, `${p} current_version`),
    oldestVersion: asNumber(d.oldest_version ?? 0, `${p} oldest_version`),
    maxVersions: asNumber(d.max_versions ?? 0, `${p} max_versions`),
    casRequired: d.cas_required === true,
    createdTime: asTime(d.created_time),
    updatedTime: asTime(d.updated_time),
    customMetadata: asStringMap(d.custom_metadata, `${p} custom_metadata`),
    versions,
  }
}

// PATCH <mount>/metadata/<path>: merge-patch the key's custom_metadata (null removes a key); no new version.
export async function kvPatchMetadata(t: VaultTransport, mount: string, path: string, custom: Record<string, string | null>): Promise<void> {
  const p = vaultPath(mount, 'metadata', path)
  await t.send({ method: 'PATCH', path: p, body: { custom_metadata: custom } })
}

// LIST <mount>/metadata/<folder> (as GET ?list=true); [] for an empty or missing folder.
export async function kvList(t: VaultTransport, mount: string, folder: string): Promise<string[]> {
  const p = vaultPath(mount, 'metadata', folder)
  const r = await t.send({ method: 'GET', path: p, query: { list: 'true' }, accept: [404] })
  if (r.status === 404) return []
  return asStringList(dataOf(r.body, p).keys, `${p} keys`)
}
