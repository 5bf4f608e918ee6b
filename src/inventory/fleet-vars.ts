// The variables that describe the one Vault setup every host shares (KV folder, AppRole role,
// policies): commands that talk only to Vault read them once and refuse an inventory where hosts differ.
import { ConfigError } from '../errors.js'
import type { AuthctlVars } from './authctl-vars.js'
import type { HostConfig } from './host-config.js'

// The shared fields and the inventory variable each one comes from.
const SHARED: ReadonlyArray<[keyof AuthctlVars, string]> = [
  ['vaultKvMount', 'vault_kv_mount'],
  ['vaultKvPath', 'vault_kv_path'],
  ['vaultApprole', 'vault_approle'],
  ['vaultReadPolicy', 'vault_read_policy'],
  ['vaultOperatorPolicy', 'vault_operator_policy'],
  ['approle', 'vault_approle_* settings'],
  ['rdsInstanceId', 'rds_instance_id'],
]

// The first host's vars, after checking that every host agrees on the shared ones.
export function fleetVars(hosts: readonly HostConfig[]): AuthctlVars {
  const [first, ...rest] = hosts
  if (first === undefined) throw new ConfigError('the inventory has no host', { hint: 'authctl inventory --graph shows the hosts and groups.' })
  for (const h of rest) {
    for (const [field, variable] of SHARED) {
      if (JSON.stringify(h.vars[field]) !== JSON.stringify(first.vars[field])) {
        throw new ConfigError(`${variable} differs between ${first.name} and ${h.name}; every host shares one Vault setup`, { hint: `Set ${variable} once for all hosts (group_vars/all).` })
      }
    }
  }
  return first.vars
}
