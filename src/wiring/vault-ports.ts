// What the commands that talk only to Vault share: the inventory's Vault variables, the Vault client
// from the environment (as the vault CLI reads it), the confirm gate and the bastion's audit log.
import { homedir } from 'node:os'
import { selectHosts } from './context.js'
import type { AuthctlVars } from '../inventory/authctl-vars.js'
import { fleetVars } from '../inventory/fleet-vars.js'
import { appendAudit } from '../output/audit-local.js'
import { auditRecord, whoRuns } from '../util/audit-record.js'
import { confirmChange } from '../output/confirm.js'
import { DEFAULT_APPROLE_MOUNT } from '../vault/approle.js'
import { createVaultClient, type VaultClient } from '../vault/client.js'
import { vaultConfigFromEnv } from '../vault/config.js'
import type { PolicyVars } from '../vault/operator-policy.js'

// The ports a Vault-only play gets.
export interface VaultPorts {
  vault: VaultClient
  // resolves when the change may go ahead (terminal answer or --yes); throws ConfigError otherwise
  confirm(plan: readonly string[]): Promise<void>
  // one JSON line per change on the bastion (no values)
  audit(entry: Record<string, unknown>): Promise<void>
}

// The placeholders of the policy table for these variables.
export function policyVarsOf(vars: AuthctlVars): PolicyVars {
  return { approleMount: DEFAULT_APPROLE_MOUNT, role: vars.vaultApprole, kvMount: vars.vaultKvMount, kvPath: vars.vaultKvPath, policies: [vars.vaultReadPolicy, vars.vaultOperatorPolicy] }
}

// Reads the inventory's shared Vault variables (no Vault request yet).
export async function loadFleetVars(inventory: string, env: NodeJS.ProcessEnv = process.env): Promise<AuthctlVars> {
  return fleetVars((await selectHosts(inventory, undefined, env)).hosts)
}

// The Vault client the environment configures, or null when VAULT_ADDR is unset (a CI runner that only
// restarts may have no Vault at all).
export function vaultClientIfConfigured(env: NodeJS.ProcessEnv): VaultClient | null {
  return env.VAULT_ADDR ? createVaultClient(vaultConfigFromEnv(env, env.HOME || homedir())) : null
}

// Builds the ports from the environment for `authctl <command>`.
export function vaultPorts(command: string, yes: boolean, env: NodeJS.ProcessEnv = process.env): VaultPorts {
  const who = whoRuns(env)
  return {
    vault: createVaultClient(vaultConfigFromEnv(env, env.HOME || homedir())),
    confirm: (plan) => confirmChange({ plan, yes, command: `authctl ${command}` }),
    audit: (entry) => appendAudit([auditRecord({ at: new Date(), who, command: `authctl ${command}` }, entry)], env),
  }
}

// The runbook's two KV secrets below the folder, and the fields each holds (Step 3).
export const RUNBOOK_SECRETS = {
  database: ['pg_host', 'pg_user', 'pg_password', 'pg_name', 'pg_port'],
  config: ['secret_key'],
} as const

// A KV secret's key below the mount and its full path for messages (secret/cwiq/shared/authentik/database).
export function secretKey(vars: AuthctlVars, name: keyof typeof RUNBOOK_SECRETS): { key: string; display: string } {
  const key = `${vars.vaultKvPath}/${name}`
  return { key, display: `${vars.vaultKvMount}/${key}` }
}
