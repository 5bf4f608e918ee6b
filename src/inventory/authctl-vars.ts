// authctl's own inventory variables, typed and validated at the edge with defaults from the runbook,
// so a bad value fails before any host is touched and the error names the variable and its file.
import { ConfigError } from '../errors.js'
import { asDeployRoot, deployRootProblem, pathTextProblem, type DeployRoot } from './host-path.js'
import type { InventoryValue } from './value.js'

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
}

// Runbook defaults (vault_addr defaults to the operator's VAULT_ADDR instead).
export const AUTHCTL_DEFAULTS = {
  authentik_root: '/data/authentik',
  vault_kv_mount: 'secret',
  vault_kv_path: 'cwiq/shared/authentik',
  vault_approle: 'authentik',
  compose_project: 'authentik',
  authentik_image: 'ghcr.io/goauthentik/server:2026.2.2',
  vault_image: 'hashicorp/vault:1.21.4',
} as const

const SEGMENT = /^[A-Za-z0-9_.-]+$/
const IMAGE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[0-9a-f]{64})?$/

// Where a value came from, for messages: the file (or file:line), or "default".
export type SourceOf = (key: string) => string | undefined

// Reads one variable as a string, failing with the variable's name and origin.
export class VarReader {
  constructor(
    readonly vars: Record<string, InventoryValue>,
    readonly sourceOf: SourceOf,
    readonly host: string,
  ) {}

  fail(key: string, problem: string): never {
    const source = this.sourceOf(key)
    throw new ConfigError(`${key} ${problem} (host ${this.host}, set in ${source ?? 'defaults'})`, {
      hint: `Fix ${key} in ${source ?? 'the inventory'}.`,
    })
  }

  string(key: string): string | undefined {
    if (!Object.hasOwn(this.vars, key)) return undefined
    const value = this.vars[key]
    if (typeof value !== 'string') this.fail(key, `must be a string, got ${JSON.stringify(value)}`)
    return value
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

// Typed authctl vars from a host's merged vars; vault_addr falls back to env.VAULT_ADDR.
export function readAuthctlVars(reader: VarReader, env: NodeJS.ProcessEnv): AuthctlVars {
  const d = AUTHCTL_DEFAULTS
  const root = reader.checked('authentik_root', d.authentik_root, deployRootProblem) ?? d.authentik_root
  const vaultAddr = reader.string('vault_addr') ?? (env.VAULT_ADDR || undefined)
  if (vaultAddr !== undefined && url(vaultAddr)) {
    if (reader.string('vault_addr') === undefined) throw new ConfigError(`VAULT_ADDR ${url(vaultAddr) ?? ''}, got ${JSON.stringify(vaultAddr)} (from the environment)`, { hint: 'Fix VAULT_ADDR or set vault_addr in the inventory.' })
    reader.fail('vault_addr', `${url(vaultAddr) ?? ''}, got ${JSON.stringify(vaultAddr)}`)
  }
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
  }
}
