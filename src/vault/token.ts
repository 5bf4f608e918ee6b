// The operator token: who am I, with which policies, until when (auth/token/lookup-self). The token
// id itself is never returned.
import { asNumber, asString, asStringList, asStringMap, asTime, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// lookup-self without the id.
export interface TokenInfo {
  accessor: string
  displayName: string
  policies: string[]
  path: string
  meta: Record<string, string>
  ttl: number // seconds left, 0 = never expires
  expireTime: Date | null
  renewable: boolean
  numUses: number
}

// GET auth/token/lookup-self.
export async function lookupSelf(t: VaultTransport): Promise<TokenInfo> {
  const r = await t.send({ method: 'GET', path: 'auth/token/lookup-self' })
  const d = dataOf(r.body, 'auth/token/lookup-self')
  return {
    accessor: asString(d.accessor, 'lookup-self accessor'),
    displayName: typeof d.display_name === 'string' ? d.display_name : '',
    policies: asStringList(d.policies, 'lookup-self policies'),
    path: typeof d.path === 'string' ? d.path : '',
    meta: asStringMap(d.meta, 'lookup-self meta'),
    ttl: asNumber(d.ttl ?? 0, 'lookup-self ttl'),
    expireTime: asTime(d.expire_time),
    renewable: d.renewable === true,
    numUses: typeof d.num_uses === 'number' ? d.num_uses : 0,
  }
}

// POST auth/token/revoke-self: the token revokes itself (used to drop a token a test login got).
export async function revokeSelf(t: VaultTransport): Promise<void> {
  await t.send({ method: 'POST', path: 'auth/token/revoke-self' })
}
