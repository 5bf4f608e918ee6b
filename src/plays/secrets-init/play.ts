// `authctl secrets init`: the runbook's Step 3. Generates the database password (32) and the secret
// key (64) with the runbook's alphabet, and writes the two KV secrets with check-and-set 0, so an
// existing secret is never overwritten; --force overwrites (cas = its version) and names the fields that change.
import { ConfigError } from '../../errors.js'
import type { AuthctlVars } from '../../inventory/authctl-vars.js'
import { Secret } from '../../util/secret.js'
import { generateSecret } from '../../secrets/generate.js'
import { FIELD_CHECKS } from '../../secrets/runbook-fields.js'
import type { KvValue } from '../../vault/kv.js'
import { RUNBOOK_SECRETS, secretKey, type VaultPorts } from '../../wiring/vault-ports.js'

// How one field would change under --force (never its value).
export interface FieldChange {
  name: string
  change: 'added' | 'changed' | 'unchanged' | 'removed'
}

// One KV secret's outcome; `version` is the version now current (or that would be written).
export interface InitSecret {
  path: string
  status: 'created' | 'exists' | 'overwritten' | 'unchanged'
  version: number | null
  fields: FieldChange[]
}

// The --json result.
export interface SecretsInitResult {
  check: boolean
  secrets: InitSecret[]
  warnings: string[]
  exitCode: number
}

const SECRET_FIELDS = new Set(['pg_password', 'secret_key'])
export const ALL_FIELDS = [...RUNBOOK_SECRETS.database, ...RUNBOOK_SECRETS.config]
// .invalid never resolves (RFC 2606): Authentik fails clearly until `authctl db set-host` sets the real endpoint.
export const PLACEHOLDER_HOST = 'pending-db-set-host.invalid'

const DEFAULTS: Record<string, () => KvValue> = {
  pg_host: () => PLACEHOLDER_HOST, pg_user: () => 'authentik', pg_name: () => 'authentik', pg_port: () => '5432',
  pg_password: () => generateSecret(32), secret_key: () => generateSecret(64),
}

// Checks the values a user gave (flags or file); a problem names the field, never the value.
export function checkProvided(provided: ReadonlyMap<string, Secret>): Map<string, KvValue> {
  const out = new Map<string, KvValue>()
  for (const [name, given] of provided) {
    const check = FIELD_CHECKS[name]
    const problem = check === undefined ? `is not a field of the runbook's secrets (${ALL_FIELDS.join(', ')})` : check(given.reveal())
    if (problem) throw new ConfigError(`${name} ${problem}`, { hint: `Fix ${name} in the values you gave; nothing was written.` })
    out.set(name, SECRET_FIELDS.has(name) ? given : given.reveal())
  }
  return out
}

// A field's new value: given, else (when overwriting) the current non-secret value, else the default
// or a freshly generated secret. Keeping pg_host means --force never reverts it to the placeholder.
function nextValue(name: string, given: ReadonlyMap<string, KvValue>, current: Record<string, Secret> | undefined): KvValue {
  const provided = given.get(name)
  if (provided !== undefined) return provided
  const kept = SECRET_FIELDS.has(name) ? undefined : current?.[name]
  return kept !== undefined ? kept.reveal() : DEFAULTS[name]!()
}

function fieldChanges(current: Record<string, Secret>, next: Record<string, KvValue>): FieldChange[] {
  const text = (v: KvValue) => (v instanceof Secret ? v.reveal() : v)
  const names = [...new Set([...Object.keys(next), ...Object.keys(current)])]
  return names.map((name) => {
    const before = current[name]
    const after = next[name]
    if (after === undefined) return { name, change: 'removed' as const }
    if (before === undefined) return { name, change: 'added' as const }
    return { name, change: before.reveal() === text(after) ? ('unchanged' as const) : ('changed' as const) }
  })
}

// Plans both secrets, asks once, then writes with check-and-set.
export async function runSecretsInit(p: VaultPorts, vars: AuthctlVars, given: ReadonlyMap<string, KvValue>, opts: { check: boolean; force: boolean }): Promise<SecretsInitResult> {
  await p.vault.preflight()
  const plans = []
  for (const name of ['database', 'config'] as const) {
    const { key, display } = secretKey(vars, name)
    const current = await p.vault.kvRead(vars.vaultKvMount, key)
    const data = Object.fromEntries(RUNBOOK_SECRETS[name].map((f) => [f, nextValue(f, given, current?.data ?? undefined)]))
    const fields = current === null ? RUNBOOK_SECRETS[name].map((f) => ({ name: f, change: 'added' as const })) : fieldChanges(current.data ?? {}, data)
    const status: InitSecret['status'] = current === null ? 'created' : !opts.force ? 'exists' : fields.every((f) => f.change === 'unchanged') ? 'unchanged' : 'overwritten'
    plans.push({ key, data, cas: current?.meta.version ?? 0, result: { path: display, status, version: current?.meta.version ?? null, fields } satisfies InitSecret })
  }
  const writes = plans.filter((w) => w.result.status === 'created' || w.result.status === 'overwritten')
  const warnings = writes.some((w) => w.result.status === 'overwritten' && w.result.fields.some((f) => f.name === 'pg_password' && f.change === 'changed'))
    ? ['pg_password changes in Vault only: the database keeps its old password until it is changed there too (use the password rotation, or give the current one with --from-file)']
    : []
  if (writes.some((w) => w.data.pg_host === PLACEHOLDER_HOST)) warnings.push(`pg_host is the placeholder ${PLACEHOLDER_HOST}: set the real endpoint with authctl db set-host`)
  if (!opts.check && writes.length > 0) {
    const line = (w: (typeof writes)[number]) =>
      w.result.status === 'created' ? `create ${w.result.path} (${Object.keys(w.data).join(', ')})` : `overwrite ${w.result.path} version ${w.cas}: ${w.result.fields.filter((f) => f.change !== 'unchanged').map((f) => `${f.name} ${f.change}`).join(', ')}`
    await p.confirm([...writes.map(line), ...warnings])
    for (const w of writes) {
      const meta = await p.vault.kvWrite(vars.vaultKvMount, w.key, w.data, { cas: w.cas })
      w.result.version = meta.version
      await p.audit({ path: w.result.path, status: w.result.status, version: meta.version, fields: w.result.fields.filter((f) => f.change !== 'unchanged').map((f) => f.name) })
    }
  }
  return { check: opts.check, secrets: plans.map((w) => w.result), warnings, exitCode: 0 }
}

// The human report: one line per secret, the changed fields, and what to do next.
export function formatSecretsInit(r: SecretsInitResult): string {
  const lines = r.secrets.map((s) => {
    const status = r.check && (s.status === 'created' || s.status === 'overwritten') ? `would be ${s.status}` : s.status === 'exists' ? `exists (version ${s.version}), kept: --force overwrites it` : `${s.status}${s.version ? ` (version ${s.version})` : ''}`
    const changed = s.status === 'exists' ? [] : s.fields.filter((f) => f.change !== 'unchanged').map((f) => `${f.name} ${f.change}`)
    return `${s.path.padEnd(48)} ${status}${changed.length ? `: ${changed.join(', ')}` : ''}`
  })
  return [...lines, ...r.warnings.map((w) => `Warning: ${w}`)].join('\n') + '\n'
}
