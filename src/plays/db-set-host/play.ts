// `authctl db set-host`: the runbook's Step 4. Takes the database endpoint from terraform (`terraform
// output -raw db_address`) or from --host, and patches pg_host with check-and-set on the version read.
import { ConfigError } from '../../errors.js'
import type { AuthctlVars } from '../../inventory/authctl-vars.js'
import { hostProblem } from '../../secrets/runbook-fields.js'
import { secretKey, type VaultPorts } from '../../wiring/vault-ports.js'

// The --json result: pg_host before and after (not secret), and the version now current.
export interface SetHostResult {
  check: boolean
  path: string
  old: string | null
  new: string
  status: 'unchanged' | 'updated'
  version: number
  exitCode: number
}

// Where the new host comes from: the terraform output runs only when asked.
export type HostSource = { host: string } | { terraformDir: string; timeoutMs: number }

// Reads pg_host, shows old → new, asks, patches with cas.
export async function runSetHost(p: VaultPorts, vars: AuthctlVars, host: string, opts: { check: boolean }): Promise<SetHostResult> {
  const problem = hostProblem(host)
  if (problem) throw new ConfigError(`the database host ${JSON.stringify(host.slice(0, 80))} ${problem}`, { hint: 'Nothing was changed.' })
  await p.vault.preflight()
  const { key, display } = secretKey(vars, 'database')
  const entry = await p.vault.kvRead(vars.vaultKvMount, key)
  if (entry?.data == null) throw new ConfigError(`${display} ${entry ? 'is deleted in its current version' : 'does not exist'}`, { hint: 'Create it first: authctl secrets init.' })
  const old = entry.data.pg_host?.reveal() ?? null
  const base = { check: opts.check, path: display, old, new: host, exitCode: 0 }
  if (old === host) return { ...base, status: 'unchanged', version: entry.meta.version }
  if (opts.check) return { ...base, status: 'updated', version: entry.meta.version }
  await p.confirm([`patch ${display} version ${entry.meta.version}: pg_host ${old ?? '(none)'} → ${host}`])
  const meta = await p.vault.kvPatch(vars.vaultKvMount, key, { pg_host: host }, entry.meta.version)
  await p.audit({ path: display, field: 'pg_host', old, new: host, version: meta.version })
  return { ...base, status: 'updated', version: meta.version }
}

// One line for people.
export function formatSetHost(r: SetHostResult): string {
  const status = r.status === 'unchanged' ? 'unchanged' : r.check ? 'would be updated' : `updated (version ${r.version})`
  return `${r.path} pg_host: ${r.old ?? '(none)'} → ${r.new}  ${status}\n`
}
