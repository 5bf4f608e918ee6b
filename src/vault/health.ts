// sys/health and a preflight check: is Vault reachable, initialised, unsealed, and is our token good?
// sys/health encodes the node's role in its status (200 active, 429 standby, 472 DR secondary, 473
// performance standby, 501 not initialised, 503 sealed), so those are answers here, not failures.
import { VaultError } from '../errors.js'
import { asObject } from './shape.js'
import { lookupSelf, type TokenInfo } from './token.js'
import type { VaultTransport } from './http-transport.js'
import { httpError } from './vault-error.js'

// What sys/health reports, with the HTTP status (200 active, 429 standby, 472/473, 501, 503).
export interface HealthStatus {
  status: number
  initialized: boolean
  sealed: boolean
  standby: boolean
  performanceStandby: boolean
  version: string
  clusterName: string | null
}

const ROLE_STATUSES = [429, 472, 473, 501, 503]

// GET sys/health. A body without the health fields (a rate limit, a proxy's error page) is not a health
// report: it fails with the status's own message instead of reading as "not initialised".
export async function health(t: VaultTransport): Promise<HealthStatus> {
  const r = await t.send({ method: 'GET', path: 'sys/health', token: null, accept: ROLE_STATUSES })
  const report = r.body !== null && typeof r.body === 'object' && typeof (r.body as { initialized?: unknown }).initialized === 'boolean'
  if (!report && r.status >= 400) throw httpError(r.status, r.body, { method: 'GET', path: 'sys/health', capability: 'read', addr: t.config.addr, secrets: [] })
  const b = asObject(r.body, 'sys/health')
  return {
    status: r.status,
    initialized: b.initialized === true,
    sealed: b.sealed === true,
    standby: b.standby === true,
    performanceStandby: b.performance_standby === true,
    version: typeof b.version === 'string' ? b.version : 'unknown',
    clusterName: typeof b.cluster_name === 'string' ? b.cluster_name : null,
  }
}

// The node's role in words, for progress lines and messages.
export function describeHealth(h: HealthStatus): string {
  if (!h.initialized) return 'not initialised'
  if (h.sealed) return 'sealed'
  if (h.status === 472) return 'disaster-recovery secondary (serves no requests)'
  if (h.performanceStandby) return 'performance standby (unsealed; serves reads, forwards writes to the active node)'
  if (h.standby) return 'standby (unsealed; forwards or redirects requests to the active node)'
  return 'active'
}

// Fails with a clear VaultError before any host is touched: unreachable, uninitialised, sealed, no or bad token.
export async function preflight(t: VaultTransport): Promise<TokenInfo> {
  const h = await health(t)
  if (!h.initialized) throw new VaultError(`Vault at ${t.config.addr} is not initialised`, { status: h.status, hint: 'Initialise Vault (vault operator init) first.' })
  if (h.sealed) throw new VaultError(`Vault at ${t.config.addr} is sealed`, { status: h.status, hint: 'Unseal Vault (vault operator unseal) and run again.' })
  if (h.status === 472) throw new VaultError(`Vault at ${t.config.addr} is a disaster-recovery secondary and serves no requests`, { status: h.status, hint: "Set VAULT_ADDR to the primary cluster's active node." })
  if (!t.token) throw new VaultError('No Vault token: VAULT_TOKEN is unset and ~/.vault-token is missing', { hint: 'Log in (vault login) or set VAULT_TOKEN.' })
  return lookupSelf(t)
}
