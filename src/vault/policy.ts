// ACL policies (sys/policies/acl/:name): read the stored text back and write a new one. The text is
// returned verbatim, so comparing it with what authctl generates tells unchanged from updated.
import { vaultPath } from './paths.js'
import { asObject, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// GET sys/policies/acl/:name; null when Vault has no such policy.
export async function readPolicy(t: VaultTransport, name: string): Promise<string | null> {
  const path = vaultPath('sys', 'policies', 'acl', name)
  const r = await t.send({ method: 'GET', path, accept: [404] })
  if (r.status === 404) return null
  // data.policy in the envelope; some proxies and old versions put it at the top level
  const body = asObject(r.body, path)
  const d = body.data === null || body.data === undefined ? body : dataOf(body, path)
  return typeof d.policy === 'string' ? d.policy : typeof body.policy === 'string' ? body.policy : ''
}

// PUT sys/policies/acl/:name (create or replace); takes effect at once for every token holding it.
export async function writePolicy(t: VaultTransport, name: string, text: string): Promise<void> {
  await t.send({ method: 'PUT', path: vaultPath('sys', 'policies', 'acl', name), body: { policy: text }, capability: 'create/update' })
}
