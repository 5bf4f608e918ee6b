// An AppRole role's settings (auth/<mount>/role/:name): read back and create/update. Only the fields
// authctl manages are written, so Vault keeps any other setting an administrator made.
import { DEFAULT_APPROLE_MOUNT } from './approle.js'
import { vaultPath } from './paths.js'
import { asNumber, asStringList, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// The role settings of the runbook's Step 2; durations in seconds, as Vault reads them back.
export interface RoleSettings {
  tokenPolicies: string[]
  tokenTtl: number
  tokenMaxTtl: number
  secretIdTtl: number
  secretIdNumUses: number
}

// GET auth/<mount>/role/:name; null when the role does not exist.
export async function readRole(t: VaultTransport, role: string, mount = DEFAULT_APPROLE_MOUNT): Promise<RoleSettings | null> {
  const path = vaultPath('auth', mount, 'role', role)
  const r = await t.send({ method: 'GET', path, accept: [404] })
  if (r.status === 404) return null
  const d = dataOf(r.body, path)
  return {
    tokenPolicies: asStringList(d.token_policies ?? d.policies, `${path} token_policies`),
    tokenTtl: asNumber(d.token_ttl ?? 0, `${path} token_ttl`),
    tokenMaxTtl: asNumber(d.token_max_ttl ?? 0, `${path} token_max_ttl`),
    secretIdTtl: asNumber(d.secret_id_ttl ?? 0, `${path} secret_id_ttl`),
    secretIdNumUses: asNumber(d.secret_id_num_uses ?? 0, `${path} secret_id_num_uses`),
  }
}

// POST auth/<mount>/role/:name with the managed fields (create or update).
export async function writeRole(t: VaultTransport, role: string, s: RoleSettings, mount = DEFAULT_APPROLE_MOUNT): Promise<void> {
  await t.send({
    method: 'POST',
    path: vaultPath('auth', mount, 'role', role),
    body: { token_policies: s.tokenPolicies, token_ttl: s.tokenTtl, token_max_ttl: s.tokenMaxTtl, secret_id_ttl: s.secretIdTtl, secret_id_num_uses: s.secretIdNumUses },
    capability: 'create/update',
  })
}
