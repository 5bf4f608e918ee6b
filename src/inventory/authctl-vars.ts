// authctl's own inventory variables, typed and validated at the edge with defaults from the runbook,
// so a bad value fails before any host is touched and the error names the variable and its file.
import { ConfigError } from '../errors.js'
import { asDeployRoot, deployRootProblem, pathTextProblem, type DeployRoot } from './host-path.js'
import { isTemplate, renderEnvTemplate } from './env-template.js'
import { showValue, type InventoryValue } from './value.js'

// The typed authctl variables of one host.
export interface AuthctlVars {
  authentikRoot: DeployRoot
  vaultKvMount: string
  vaultKvPath: string
  vaultApprole: string
  composeProject: string
  vaultAddr?: string
  vaultCacert?: string
  authentikImage: string
  vaultImage: string
  // Authentik's database TLS: libpq sslmode and a CA bundle on the bastion (deployed to the hosts)
  pgSslmode: PgSslmode
  pgSslrootcert?: string
  // What `vault bootstrap` writes: the agents' read policy, the operator policy, the AppRole role's settings
  vaultReadPolicy: string
  vaultOperatorPolicy: string
  approle: ApproleSettings
  // The RDS instance whose master password `rotate-db-password --method rds` changes
  rdsInstanceId: string
}

// The AppRole role settings of the runbook's Step 2, durations in seconds.
export interface ApproleSettings {
  tokenPolicies: string[]
  tokenTtl: number
  tokenMaxTtl: number
  secretIdTtl: number
  secretIdNumUses: number
}

// libpq's sslmode values (Authentik passes AUTHENTIK_POSTGRESQL__SSLMODE to psycopg).
export const PG_SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const
export type PgSslmode = (typeof PG_SSLMODES)[number]

// Runbook defaults (vault_addr defaults to the operator's VAULT_ADDR instead).
export const AUTHCTL_DEFAULTS = {
  authentik_root: '/data/authentik',
  vault_kv_mount: 'secret',
  vault_kv_path: 'cwiq/shared/authentik',
  vault_approle: 'authentik',
  compose_project: 'authentik',
  authentik_image: 'ghcr.io/goauthentik/server:2026.2.2',
  vault_image: 'hashicorp/vault:1.21.4',
  pg_sslmode: 'prefer',
  vault_read_policy: 'cwiq-shared-authentik-read',
  vault_operator_policy: 'authctl-operator',
  vault_approle_token_ttl: '1h',
  vault_approle_token_max_ttl: '4h',
  vault_approle_secret_id_ttl: '720h',
  vault_approle_secret_id_num_uses: 0,
  rds_instance_id: 'cwiq-shared-authentik-postgres',
} as const

const SEGMENT = /^[A-Za-z0-9_.-]+$/
const IMAGE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[0-9a-f]{64})?$/

// Where a value came from, for messages: the file (or file:line), or "default".
export type SourceOf = (key: string) => string | undefined

// Reads one variable as a string, failing with the variable's name and origin. Strings holding Jinja
// are evaluated here, where authctl uses them (the env lookup only; see env-template.ts).
export class VarReader {
  constructor(
    readonly vars: Record<string, InventoryValue>,
    readonly sourceOf: SourceOf,
    readonly host: string,
    readonly env: NodeJS.ProcessEnv = {},
  ) {}

  // A string value with its `{{ lookup('env', …) }}` evaluated; other Jinja is refused naming where it is.
  rendered(key: string, text: string): string {
    if (!isTemplate(text)) return text
    const result = renderEnvTemplate(text, this.env)
    if ('value' in result) return result.value
    const source = this.sourceOf(key) ?? 'the inventory'
    throw new ConfigError(`${key} holds Jinja authctl cannot evaluate: ${JSON.stringify(result.unsupported.slice(0, 200))} (host ${this.host}, set in ${source})`, {
      hint: `authctl evaluates only {{ lookup('env', 'NAME') }} (optionally | default('value', true)) in the variables it reads: write the value itself in ${source}, or that lookup.`,
    })
  }

  fail(key: string, problem: string): never {
    const source = this.sourceOf(key)
    throw new ConfigError(`${key} ${problem} (host ${this.host}, set in ${source ?? 'defaults'})`, {
      hint: `Fix ${key} in ${source ?? 'the inventory'}.`,
    })
  }

  string(key: string): string | undefined {
    if (!Object.hasOwn(this.vars, key)) return undefined
    const value = this.vars[key]
    if (typeof value !== 'string') this.fail(key, `must be a string, got ${showValue(value)}`)
    return this.rendered(key, value)
  }

  // A string or a number as text (INI host lines type numbers, :vars lines do not).
  scalar(key: string): string | undefined {
    if (!Object.hasOwn(this.vars, key)) return undefined
    const value = this.vars[key]
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    return this.string(key)
  }

  // A list of strings: a YAML/Python list or a comma-separated string, as Vault takes token_policies.
  list(key: string): string[] | undefined {
    if (!Object.hasOwn(this.vars, key)) return undefined
    const value = this.vars[key]
    const items = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? this.rendered(key, v) : v)) : typeof value === 'string' ? this.rendered(key, value).split(',') : this.fail(key, `must be a list or a comma-separated string, got ${showValue(value)}`)
    return items.map((v) => (typeof v === 'string' ? v.trim() : this.fail(key, `must hold strings, got ${showValue(v)}`))).filter((v) => v !== '')
  }

  // A value validated by `check` (returns a problem or undefined).
  checked(key: string, fallback: string | undefined, check: (v: string) => string | undefined): string | undefined {
    const value = this.string(key) ?? fallback
    if (value === undefined) return undefined
    const problem = check(value)
    if (problem) this.fail(key, `${problem}, got ${JSON.stringify(value)}`)
    return value
  }
}

function vaultPath(v: string): string | undefined {
  const parts = v.split('/')
  return parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..') ? undefined : 'must be a Vault path of segments [A-Za-z0-9_.-] separated by single slashes, without leading or trailing slash'
}

function image(v: string): string | undefined {
  const m = IMAGE.exec(v)
  if (!m) return 'must be a container image reference'
  if (!m[1] && !m[2]) return 'must pin an exact tag or digest (e.g. name:1.2.3)'
  if (m[1] === 'latest') return 'must pin an exact tag, not latest'
  return undefined
}

function url(v: string): string | undefined {
  try {
    const u = new URL(v)
    return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : 'must be an http(s) URL'
  } catch {
    return 'must be an http(s) URL such as https://vault.example.internal:8200'
  }
}

// Vault durations: integer seconds or Go-style "1h", "30m", "1h30m", "720h" → seconds (never rounded:
// a duration past 2^53 seconds is refused).
export function durationSeconds(v: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v)
  if (/^\d+$/.test(v)) return wholeNumber(v)
  if (!m || v === '') return undefined
  const seconds = (BigInt(m[1] ?? 0) * 60n + BigInt(m[2] ?? 0)) * 60n + BigInt(m[3] ?? 0)
  return wholeNumber(String(seconds))
}

// A string of digits as a number, or undefined when it is too large to be exact.
function wholeNumber(digits: string): number | undefined {
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : undefined
}

function duration(reader: VarReader, key: string, fallback: string): number {
  const raw = reader.scalar(key) ?? fallback
  const s = durationSeconds(raw.trim())
  if (s === undefined) reader.fail(key, `must be a duration such as 1h, 30m or 3600 (seconds), got ${JSON.stringify(raw)}`)
  return s
}

const POLICY_NAME = /^[A-Za-z0-9_.-]+$/

function approleSettings(reader: VarReader, readPolicy: string): ApproleSettings {
  const d = AUTHCTL_DEFAULTS
  const tokenPolicies = reader.list('vault_approle_token_policies') ?? [readPolicy]
  const bad = tokenPolicies.find((p) => !POLICY_NAME.test(p))
  if (bad !== undefined || tokenPolicies.length === 0) reader.fail('vault_approle_token_policies', `must name one or more policies (letters, digits, _ . -), got ${JSON.stringify(bad ?? tokenPolicies)}`)
  const tokenTtl = duration(reader, 'vault_approle_token_ttl', d.vault_approle_token_ttl)
  const tokenMaxTtl = duration(reader, 'vault_approle_token_max_ttl', d.vault_approle_token_max_ttl)
  if (tokenMaxTtl > 0 && tokenTtl > tokenMaxTtl) reader.fail('vault_approle_token_ttl', `must not exceed vault_approle_token_max_ttl (${tokenMaxTtl}s), got ${tokenTtl}s`)
  const uses = reader.scalar('vault_approle_secret_id_num_uses') ?? String(d.vault_approle_secret_id_num_uses)
  const numUses = /^\d+$/.test(uses.trim()) ? wholeNumber(uses.trim()) : undefined
  if (numUses === undefined) reader.fail('vault_approle_secret_id_num_uses', `must be a whole number up to ${Number.MAX_SAFE_INTEGER} (0 = unlimited), got ${JSON.stringify(uses)}`)
  return { tokenPolicies, tokenTtl, tokenMaxTtl, secretIdTtl: duration(reader, 'vault_approle_secret_id_ttl', d.vault_approle_secret_id_ttl), secretIdNumUses: numUses }
}

function pgTls(reader: VarReader): Pick<AuthctlVars, 'pgSslmode' | 'pgSslrootcert'> {
  const mode = reader.checked('pg_sslmode', AUTHCTL_DEFAULTS.pg_sslmode, (v) => ((PG_SSLMODES as readonly string[]).includes(v) ? undefined : `must be one of ${PG_SSLMODES.join(', ')}`)) as PgSslmode
  const rootcert = reader.checked('pg_sslrootcert', undefined, (v) => (v.startsWith('/') ? undefined : 'must be an absolute path to a PEM CA bundle on the bastion'))
  if ((mode === 'verify-ca' || mode === 'verify-full') && rootcert === undefined) {
    reader.fail('pg_sslmode', `${mode} needs pg_sslrootcert (the CA bundle that signed the database certificate, e.g. the RDS global bundle)`)
  }
  return { pgSslmode: mode, pgSslrootcert: rootcert }
}

// Typed authctl vars from a host's merged vars; vault_addr falls back to env.VAULT_ADDR.
export function readAuthctlVars(reader: VarReader, env: NodeJS.ProcessEnv): AuthctlVars {
  const d = AUTHCTL_DEFAULTS
  const root = reader.checked('authentik_root', d.authentik_root, deployRootProblem) ?? d.authentik_root
  const vaultAddr = reader.string('vault_addr') ?? (env.VAULT_ADDR || undefined)
  if (vaultAddr !== undefined && url(vaultAddr)) {
    if (reader.string('vault_addr') === undefined) throw new ConfigError(`VAULT_ADDR ${url(vaultAddr) ?? ''}, got ${JSON.stringify(vaultAddr)} (from the environment)`, { hint: 'Fix VAULT_ADDR or set vault_addr in the inventory.' })
    reader.fail('vault_addr', `${url(vaultAddr) ?? ''}, got ${JSON.stringify(vaultAddr)}`)
  }
  const readPolicy = reader.checked('vault_read_policy', d.vault_read_policy, policyName) ?? d.vault_read_policy
  return {
    authentikRoot: asDeployRoot(root),
    vaultKvMount: reader.checked('vault_kv_mount', d.vault_kv_mount, vaultPath) ?? d.vault_kv_mount,
    vaultKvPath: reader.checked('vault_kv_path', d.vault_kv_path, vaultPath) ?? d.vault_kv_path,
    vaultApprole: reader.checked('vault_approle', d.vault_approle, (v) => (/^[A-Za-z0-9_](?:[A-Za-z0-9_.@-]*[A-Za-z0-9_])?$/.test(v) ? undefined : 'must be a Vault AppRole name')) ?? d.vault_approle,
    composeProject: reader.checked('compose_project', d.compose_project, (v) => (/^[a-z0-9][a-z0-9_-]*$/.test(v) ? undefined : 'must be a docker compose project name (lowercase letters, digits, - and _)')) ?? d.compose_project,
    vaultAddr: vaultAddr?.replace(/\/+$/, ''),
    vaultCacert: reader.checked('vault_cacert', undefined, (v) => (v.trim() === '' ? 'must be a non-empty path' : pathTextProblem(v))),
    authentikImage: reader.checked('authentik_image', d.authentik_image, image) ?? d.authentik_image,
    vaultImage: reader.checked('vault_image', d.vault_image, image) ?? d.vault_image,
    ...pgTls(reader),
    vaultReadPolicy: readPolicy,
    vaultOperatorPolicy: reader.checked('vault_operator_policy', d.vault_operator_policy, policyName) ?? d.vault_operator_policy,
    approle: approleSettings(reader, readPolicy),
    rdsInstanceId: reader.checked('rds_instance_id', d.rds_instance_id, rdsInstanceId) ?? d.rds_instance_id,
  }
}

// RDS's DB instance identifier rules: 1-63 letters, digits and hyphens, a letter first, no "--", no trailing "-".
function rdsInstanceId(v: string): string | undefined {
  return /^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(v) && !v.includes('--') && !v.endsWith('-') ? undefined : 'must be an RDS DB instance identifier (1-63 letters, digits and hyphens, starting with a letter, no "--", not ending in "-")'
}

function policyName(v: string): string | undefined {
  return POLICY_NAME.test(v) && v !== 'root' && v !== 'default' ? undefined : 'must be a Vault policy name (letters, digits, _ . -; not root or default)'
}
