// sys/health and a preflight check: is Vault reachable, initialised, unsealed, and is our token good?
import { VaultError } from '../errors.js'
import { asObject } from './shape.js'
import { lookupSelf, type TokenInfo } from './token.js'
import type { VaultTransport } from './transport.js'

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

// GET sys/health; every status carries a body, so none of them is an error here.
export async function health(t: VaultTransport): Promise<HealthStatus> {
  const r = await t.send({ method: 'GET', path: 'sys/health', token: null, accept: [429, 472, 473, 501, 503] })
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

// Fails with a clear VaultError before any host is touched: unreachable, uninitialised, sealed, no or bad token.
export async function preflight(t: VaultTransport): Promise<TokenInfo> {
  const h = await health(t)
  if (!h.initialized) throw new VaultError(`Vault at ${t.config.addr} is not initialised`, { status: h.status, hint: 'Initialise Vault (vault operator init) first.' })
  if (h.sealed) throw new VaultError(`Vault at ${t.config.addr} is sealed`, { status: h.status, hint: 'Unseal Vault (vault operator unseal) and run again.' })
  if (!t.token) throw new VaultError('No Vault token: VAULT_TOKEN is unset and ~/.vault-token is missing', { hint: 'Log in (vault login) or set VAULT_TOKEN.' })
  return lookupSelf(t)
}
