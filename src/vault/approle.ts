// AppRole operations authctl performs as the operator: role-id, secret-ids (plain or response-wrapped),
// lookup/destroy/list by accessor. Secret-ids and wrapping tokens come back as Secret.
import { VaultError } from '../errors.js'
import { Secret } from '../util/secret.js'
import { vaultPath } from './paths.js'
import { asNumber, asObject, asString, asStringList, asStringMap, asTime, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// The AppRole auth mount the runbook enables.
export const DEFAULT_APPROLE_MOUNT = 'approle'

// Options of createSecretId: metadata is attached to tokens and audit logs (never put secrets in it).
export interface SecretIdOptions {
  metadata: Record<string, string>
  wrapTtl?: string | number // response-wrap the secret-id (X-Vault-Wrap-TTL)
  ttl?: string | number
  numUses?: number
  mount?: string
}

// A new secret-id. When wrapped, `secretId` is the single-use wrapping token, `ttl` the wrap TTL.
export interface IssuedSecretId {
  secretId: Secret
  accessor: string
  ttl: number
  numUses: number | null
  wrapped: boolean
}

// What lookup by accessor tells about a secret-id (never the secret-id itself).
export interface SecretIdInfo {
  accessor: string
  creationTime: Date | null
  expirationTime: Date | null // null: never expires
  lastUpdatedTime: Date | null
  metadata: Record<string, string>
  numUses: number
  ttl: number
  cidrList: string[]
}

function rolePath(mount: string, role: string, ...rest: string[]): string {
  return vaultPath('auth', mount, 'role', role, ...rest)
}

// GET role-id (stable, not a secret per the runbook).
export async function readRoleId(t: VaultTransport, role: string, mount = DEFAULT_APPROLE_MOUNT): Promise<string> {
  const path = rolePath(mount, role, 'role-id')
  const r = await t.send({ method: 'GET', path, accept: [404] })
  if (r.status === 404) throw new VaultError(`AppRole role "${role}" does not exist at auth/${mount}`, { status: 404, hint: `Create it (runbook step 2: vault write auth/${mount}/role/${role} …).` })
  return asString(dataOf(r.body, path).role_id, `${path} role_id`)
}

// POST secret-id; optionally response-wrapped, in which case the creation path is verified.
export async function createSecretId(t: VaultTransport, role: string, opts: SecretIdOptions): Promise<IssuedSecretId> {
  const mount = opts.mount ?? DEFAULT_APPROLE_MOUNT
  const path = rolePath(mount, role, 'secret-id')
  const body: Record<string, unknown> = { metadata: JSON.stringify(opts.metadata) }
  if (opts.ttl !== undefined) body.ttl = opts.ttl
  if (opts.numUses !== undefined) body.num_uses = opts.numUses
  const headers = opts.wrapTtl === undefined ? undefined : { 'X-Vault-Wrap-TTL': String(opts.wrapTtl) }
  const r = await t.send({ method: 'POST', path, body, headers, capability: 'update' })
  if (opts.wrapTtl !== undefined) {
    const w = asObject(asObject(r.body, path).wrap_info, `${path} wrap_info`)
    const creationPath = asString(w.creation_path, `${path} creation_path`)
    const token = new Secret(asString(w.token, `${path} wrap token`))
    if (creationPath !== `auth/${mount}/role/${role}/secret-id`) {
      throw new VaultError(`Vault wrapped the secret-id under an unexpected path (${creationPath})`, { hint: 'Something between authctl and Vault altered the response; do not use it.' })
    }
    return { secretId: token, accessor: asString(w.wrapped_accessor, `${path} wrapped_accessor`), ttl: asNumber(w.ttl, `${path} wrap ttl`), numUses: null, wrapped: true }
  }
  const d = dataOf(r.body, path)
  return {
    secretId: new Secret(asString(d.secret_id, `${path} secret_id`)),
    accessor: asString(d.secret_id_accessor, `${path} secret_id_accessor`),
    ttl: asNumber(d.secret_id_ttl, `${path} secret_id_ttl`),
    numUses: asNumber(d.secret_id_num_uses, `${path} secret_id_num_uses`),
    wrapped: false,
  }
}

// POST secret-id-accessor/lookup; null when Vault no longer knows the accessor (expired, used up, destroyed).
export async function lookupSecretIdAccessor(t: VaultTransport, role: string, accessor: string, mount = DEFAULT_APPROLE_MOUNT): Promise<SecretIdInfo | null> {
  const path = rolePath(mount, role, 'secret-id-accessor', 'lookup')
  const r = await t.send({ method: 'POST', path, body: { secret_id_accessor: accessor }, capability: 'update', accept: [404] })
  if (r.status === 404) return null
  const d = dataOf(r.body, path)
  return {
    accessor: asString(d.secret_id_accessor, `${path} secret_id_accessor`),
    creationTime: asTime(d.creation_time),
    expirationTime: asTime(d.expiration_time),
    lastUpdatedTime: asTime(d.last_updated_time),
    metadata: asStringMap(d.metadata, `${path} metadata`),
    numUses: typeof d.secret_id_num_uses === 'number' ? d.secret_id_num_uses : 0,
    ttl: typeof d.secret_id_ttl === 'number' ? d.secret_id_ttl : 0,
    cidrList: asStringList(d.cidr_list, `${path} cidr_list`),
  }
}

// POST secret-id-accessor/destroy; false when it was already gone (Vault answers 500 then).
export async function destroySecretIdAccessor(t: VaultTransport, role: string, accessor: string, mount = DEFAULT_APPROLE_MOUNT): Promise<boolean> {
  const path = rolePath(mount, role, 'secret-id-accessor', 'destroy')
  try {
    await t.send({ method: 'POST', path, body: { secret_id_accessor: accessor }, capability: 'update' })
    return true
  } catch (error) {
    const errors = ((error as VaultError).cause as { errors?: string[] } | undefined)?.errors ?? []
    if (error instanceof VaultError && error.status === 500 && errors.some((e) => e.startsWith('failed to find accessor entry'))) return false
    throw error
  }
}

// LIST secret-id (as GET ?list=true); [] when the role has none.
export async function listSecretIdAccessors(t: VaultTransport, role: string, mount = DEFAULT_APPROLE_MOUNT): Promise<string[]> {
  const path = rolePath(mount, role, 'secret-id')
  const r = await t.send({ method: 'GET', path, query: { list: 'true' }, accept: [404] })
  if (r.status === 404) return []
  return asStringList(dataOf(r.body, path).keys, `${path} keys`)
}
