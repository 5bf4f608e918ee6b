// `authctl secrets show`: the runbook's "Verify Current Secret Values", made safe. Field names, KV
// version, created time and a short fingerprint of each value; values only with --reveal, on a terminal.
import { createHash } from 'node:crypto'
import type { AuthctlVars } from '../../inventory/authctl-vars.js'
import type { Secret } from '../../util/secret.js'
import { secretKey, type VaultPorts } from '../../wiring/vault-ports.js'

// One field: its fingerprint, never its value.
export interface ShownField {
  name: string
  fingerprint: string
}

// One KV secret as shown; `exists: false` when Vault has no such secret.
export interface ShownSecret {
  path: string
  exists: boolean
  version: number | null
  createdTime: string | null
  deleted: boolean
  fields: ShownField[]
}

// The --json result.
export interface SecretsShowResult {
  secrets: ShownSecret[]
  exitCode: number
}

// sha256 of the value, first 12 hex digits: `printf %s "$VALUE" | sha256sum | cut -c1-12` gives the same.
export function fingerprint(value: Secret): string {
  return `sha256:${createHash('sha256').update(value.reveal(), 'utf8').digest('hex').slice(0, 12)}`
}

// Reads both secrets; `reveal` receives the values for the terminal, the result never does.
export async function runSecretsShow(p: Pick<VaultPorts, 'vault'>, vars: AuthctlVars, reveal?: (path: string, name: string, value: Secret) => void): Promise<SecretsShowResult> {
  await p.vault.preflight()
  const secrets: ShownSecret[] = []
  for (const name of ['database', 'config'] as const) {
    const { key, display } = secretKey(vars, name)
    const entry = await p.vault.kvRead(vars.vaultKvMount, key)
    const data = entry?.data ?? {}
    for (const [field, value] of Object.entries(data)) reveal?.(display, field, value)
    secrets.push({
      path: display,
      exists: entry !== null,
      version: entry?.meta.version ?? null,
      createdTime: entry?.meta.createdTime?.toISOString() ?? null,
      deleted: entry !== null && entry.data === null,
      fields: Object.entries(data).map(([field, value]) => ({ name: field, fingerprint: fingerprint(value) })),
    })
  }
  return { secrets, exitCode: secrets.every((s) => s.exists) ? 0 : 5 }
}

// The human report: a block per secret.
export function formatSecretsShow(r: SecretsShowResult, revealed?: ReadonlyMap<string, string>): string {
  const out: string[] = []
  for (const s of r.secrets) {
    if (!s.exists) {
      out.push(`${s.path}: does not exist (authctl secrets init creates it)`)
      continue
    }
    out.push(`${s.path}  version ${s.version}  created ${s.createdTime ?? 'unknown'}${s.deleted ? '  (deleted)' : ''}`)
    for (const f of s.fields) out.push(`  ${f.name.padEnd(12)} ${f.fingerprint}${revealed?.has(`${s.path} ${f.name}`) ? `  ${revealed.get(`${s.path} ${f.name}`)}` : ''}`)
  }
  return out.join('\n') + '\n'
}
