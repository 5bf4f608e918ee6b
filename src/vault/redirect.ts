// Redirects from Vault. A standby with request forwarding off answers 307 with Location = the active
// node's api_addr + the same path and query (http/handler.go respondStandby). The vault CLI follows one
// redirect (301/302/307), refuses only an https→http downgrade, and sends the token wherever Location
// points (api/client.go). authctl follows one redirect, to the same scheme only, and to another address
// only when the request carries no credential (no token, no secret in the body); otherwise it names the
// active node so the operator can point VAULT_ADDR at it.
import { VaultError } from '../errors.js'
import { redact } from '../util/secret.js'
import type { RequestDescription } from './vault-error.js'

// Statuses treated as a redirect (Vault itself sends 307).
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 307 || status === 308
}

// The address a Location points at, as VAULT_ADDR would be written: origin plus any prefix before /v1/.
function baseOf(loc: URL): string {
  const i = loc.pathname.indexOf('/v1/')
  return loc.origin + (i > 0 ? loc.pathname.slice(0, i) : '')
}

// Where to send the request next, or a VaultError saying why authctl will not.
export function redirectTarget(from: URL, status: number, location: string | undefined, o: { redirectedBefore: boolean; desc: RequestDescription }): URL {
  const { desc } = o
  const where = `${desc.method} ${desc.path}`
  let loc: URL
  try {
    loc = new URL(location ?? '', from)
    if (!location) throw new Error('no Location')
  } catch {
    throw new VaultError(`Vault at ${desc.addr} answered ${status} to ${where} without a usable Location`, { status, hint: 'Set VAULT_ADDR to the active Vault node.' })
  }
  const base = redact(baseOf(loc), desc.secrets)
  if (o.redirectedBefore) {
    throw new VaultError(`Vault at ${desc.addr} redirected ${where} more than once (last to ${base})`, { status, hint: 'Set VAULT_ADDR to the active Vault node.' })
  }
  if (loc.protocol !== from.protocol) {
    throw new VaultError(`Vault at ${desc.addr} redirected ${where} to ${base}, which uses another scheme; authctl follows redirects only to the same scheme`, {
      status,
      hint: 'Set VAULT_ADDR to the active node, with the scheme it serves.',
    })
  }
  if (loc.origin !== from.origin && desc.secrets.length > 0) {
    throw new VaultError(`Vault at ${desc.addr} is a standby and redirected ${where} to the active node ${base}; authctl sends credentials only to VAULT_ADDR`, {
      status,
      hint: `Set VAULT_ADDR=${base} (the active node) and run again, or enable request forwarding on the standby nodes.`,
    })
  }
  return loc
}
