// Response-wrapped values: look up a wrapping token (does not consume it) and unwrap it (single use).
// Every unwrapped string is a Secret.
import { VaultError } from '../errors.js'
import { Secret } from '../util/secret.js'
import { DEFAULT_APPROLE_MOUNT } from './approle.js'
import { asNumber, asObject, asString, asTime, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// What sys/wrapping/lookup says about a wrapping token.
export interface WrappingInfo {
  creationPath: string
  creationTime: Date | null
  creationTtl: number
}

// An unwrapped response's data: strings become Secret, other JSON values stay as they are.
export type UnwrappedData = Record<string, Secret | number | boolean | null | object>

function invalid(error: unknown): never {
  if (error instanceof VaultError && error.status === 400) {
    throw new VaultError('The wrapping token is invalid, expired or already unwrapped', {
      status: 400,
      hint: 'A wrapping token works once; if you did not unwrap it yourself, someone else may have — treat the wrapped value as compromised.',
      cause: error.cause,
    })
  }
  throw error
}

// POST sys/wrapping/lookup (unauthenticated; does not use up the token).
export async function lookupWrapping(t: VaultTransport, token: Secret): Promise<WrappingInfo> {
  try {
    const r = await t.send({ method: 'POST', path: 'sys/wrapping/lookup', token: null, body: { token: token.reveal() }, secrets: [token] })
    const d = dataOf(r.body, 'sys/wrapping/lookup')
    return { creationPath: asString(d.creation_path, 'creation_path'), creationTime: asTime(d.creation_time), creationTtl: asNumber(d.creation_ttl, 'creation_ttl') }
  } catch (error) {
    return invalid(error)
  }
}

// POST sys/wrapping/unwrap with the wrapping token as the client token (no other token involved).
export async function unwrap(t: VaultTransport, token: Secret): Promise<UnwrappedData> {
  let body: unknown
  try {
    body = (await t.send({ method: 'POST', path: 'sys/wrapping/unwrap', token })).body
  } catch (error) {
    return invalid(error)
  }
  const data = body === null ? {} : asObject(asObject(body, 'sys/wrapping/unwrap').data ?? {}, 'sys/wrapping/unwrap data')
  const out: UnwrappedData = {}
  for (const [k, v] of Object.entries(data)) out[k] = typeof v === 'string' ? new Secret(v) : (v as number | boolean | null | object)
  return out
}

// A wrapped AppRole secret-id: checks the creation path first (as Vault Agent does), then unwraps.
export async function unwrapSecretId(t: VaultTransport, token: Secret, role: string, mount = DEFAULT_APPROLE_MOUNT): Promise<{ secretId: Secret; accessor: string; ttl: number }> {
  const info = await lookupWrapping(t, token)
  const expected = `auth/${mount}/role/${role}/secret-id`
  if (info.creationPath !== expected) {
    throw new VaultError(`The wrapping token was not created by ${expected} (it was created by ${info.creationPath})`, { hint: 'Refusing to unwrap a token of unknown origin.' })
  }
  const d = await unwrap(t, token)
  const secretId = d.secret_id
  const accessor = d.secret_id_accessor
  if (!(secretId instanceof Secret) || !(accessor instanceof Secret)) throw new VaultError('The unwrapped response holds no secret-id', { hint: 'The wrapping token did not wrap a secret-id.' })
  return { secretId, accessor: accessor.reveal(), ttl: typeof d.secret_id_ttl === 'number' ? d.secret_id_ttl : 0 }
}
