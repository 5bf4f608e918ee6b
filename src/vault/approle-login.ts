// AppRole login as the agent would do it, with its own token slot: the caller's client keeps its token
// (node-vault's approleLogin() overwrote it).
import { Secret } from '../util/secret.js'
import { DEFAULT_APPROLE_MOUNT } from './approle.js'
import { vaultPath } from './paths.js'
import { asNumber, asObject, asString, asStringList, asStringMap } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// The token a login issued.
export interface LoginResult {
  clientToken: Secret
  accessor: string
  policies: string[]
  leaseDuration: number
  renewable: boolean
  metadata: Record<string, string>
}

// POST auth/<mount>/login without any client token.
export async function approleLogin(t: VaultTransport, roleId: string, secretId: Secret, mount = DEFAULT_APPROLE_MOUNT): Promise<LoginResult> {
  const path = vaultPath('auth', mount, 'login')
  const r = await t.send({ method: 'POST', path, token: null, body: { role_id: roleId, secret_id: secretId.reveal() }, secrets: [secretId] })
  const auth = asObject(asObject(r.body, path).auth, `${path} auth`)
  return {
    clientToken: new Secret(asString(auth.client_token, `${path} client_token`)),
    accessor: asString(auth.accessor, `${path} accessor`),
    policies: asStringList(auth.policies, `${path} policies`),
    leaseDuration: asNumber(auth.lease_duration, `${path} lease_duration`),
    renewable: auth.renewable === true,
    metadata: asStringMap(auth.metadata, `${path} metadata`),
  }
}
