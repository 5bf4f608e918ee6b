// The typed variables one host's bundle is rendered from, checked before any template runs: a value
// that could not be expressed safely in its file is refused with the inventory variable's name.
import { ConfigError } from '../errors.js'
import { asDeployRoot, deployRootProblem } from '../inventory/host-path.js'

// What the inventory gives the renderer for one host.
export interface RenderInput {
  hostName: string
  authentikRoot: string /* /data/authentik */
  vaultAddr: string
  vaultCacert?: string /* PEM content, deployed as a file when set */
  vaultKvMount: string
  vaultKvPath: string
  vaultApprole: string
  composeProject: string
  authentikImage: string
  vaultImage: string
  pgSslmode?: string /* libpq sslmode; default prefer (Authentik's own default) */
  pgSslrootcert?: string /* PEM CA bundle content, deployed read-only when set */
}

// The input after validation: KV mount and path without surrounding slashes, sslmode defaulted.
export type ValidRenderInput = Readonly<RenderInput & { pgSslmode: string }>

// libpq's sslmode values; verify-ca and verify-full need the CA bundle.
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

// A Vault path segment the consul-template stand-in and Vault's URL routing both take verbatim.
const PATH_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/
// An image reference pinned by tag or digest: [registry[:port]/]name[:tag][@sha256:hex].
const IMAGE =
  /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/

// camelCase field → the inventory variable name users know (vaultKvPath → vault_kv_path).
function variableName(field: keyof RenderInput): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function fail(input: Partial<RenderInput>, field: keyof RenderInput, problem: string): never {
  const host = typeof input.hostName === 'string' && input.hostName !== '' ? `${input.hostName}: ` : ''
  throw new ConfigError(`${host}${variableName(field)} ${problem}`, {
    hint: `fix ${variableName(field)} in the inventory (host_vars, group_vars or the host line)`,
  })
}

function text(input: Partial<RenderInput>, field: keyof RenderInput): string {
  const value = input[field]
  if (typeof value !== 'string' || value.trim() === '') fail(input, field, 'is missing or empty')
  if (/[\p{Cc}\p{Surrogate}\u2028\u2029]/u.test(value)) fail(input, field, 'contains control characters')
  return value
}

function vaultPath(input: Partial<RenderInput>, field: 'vaultKvMount' | 'vaultKvPath'): string {
  const trimmed = text(input, field).replace(/^\/+|\/+$/g, '')
  const bad = trimmed.split('/').find((segment) => !PATH_SEGMENT.test(segment))
  if (bad !== undefined) {
    fail(input, field, `has an unsupported path segment ${JSON.stringify(bad)} (allowed: letters, digits, _ . -)`)
  }
  return trimmed
}

function image(input: Partial<RenderInput>, field: 'authentikImage' | 'vaultImage'): string {
  const value = text(input, field)
  const match = IMAGE.exec(value)
  if (match === null) fail(input, field, `is not an image reference: ${JSON.stringify(value)}`)
  const [, tag, digest] = match
  if (digest === undefined && (tag === undefined || tag === 'latest')) {
    fail(input, field, `must pin a release tag or digest (got ${JSON.stringify(value)})`)
  }
  return value
}

function vaultAddr(input: Partial<RenderInput>): string {
  const value = text(input, 'vaultAddr')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    fail(input, 'vaultAddr', `is not a URL: ${JSON.stringify(value)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(input, 'vaultAddr', 'must be an http(s) URL')
  if (url.username !== '' || url.password !== '') fail(input, 'vaultAddr', 'must not carry credentials')
  return value
}

// The same check every command applies (inventory/host-path.ts), so render cannot be looser.
function root(input: Partial<RenderInput>): string {
  const value = text(input, 'authentikRoot')
  const problem = deployRootProblem(value)
  if (problem !== undefined) fail(input, 'authentikRoot', `${problem} (got ${JSON.stringify(value)})`)
  return asDeployRoot(value)
}

function caCert(input: Partial<RenderInput>, field: 'vaultCacert' | 'pgSslrootcert'): string | undefined {
  if (input[field] === undefined) return undefined
  const value = input[field]
  if (typeof value !== 'string' || !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(value)) {
    fail(input, field, 'must be PEM certificate content (-----BEGIN CERTIFICATE-----)')
  }
  return value.endsWith('\n') ? value : `${value}\n`
}

function sslmode(input: Partial<RenderInput>): string {
  const value = input.pgSslmode ?? 'prefer'
  if (!SSLMODES.includes(value)) fail(input, 'pgSslmode', `must be one of ${SSLMODES.join(', ')} (got ${JSON.stringify(value)})`)
  if (value.startsWith('verify-') && input.pgSslrootcert === undefined) fail(input, 'pgSslmode', `${value} needs pg_sslrootcert (the CA bundle of the database certificate)`)
  return value
}

// Checks every variable and returns the normalised input; throws ConfigError naming the first bad one.
export function validateRenderInput(input: Partial<RenderInput>): ValidRenderInput {
  const composeProject = text(input, 'composeProject')
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(composeProject)) {
    fail(input, 'composeProject', 'must be lowercase letters, digits, _ and - (a compose project name)')
  }
  const vaultApprole = text(input, 'vaultApprole')
  if (!PATH_SEGMENT.test(vaultApprole)) fail(input, 'vaultApprole', 'must be an AppRole name (letters, digits, _ . -)')
  return {
    hostName: text(input, 'hostName'),
    authentikRoot: root(input),
    vaultAddr: vaultAddr(input),
    vaultCacert: caCert(input, 'vaultCacert'),
    vaultKvMount: vaultPath(input, 'vaultKvMount'),
    vaultKvPath: vaultPath(input, 'vaultKvPath'),
    vaultApprole,
    composeProject,
    authentikImage: image(input, 'authentikImage'),
    vaultImage: image(input, 'vaultImage'),
    pgSslmode: sslmode(input),
    pgSslrootcert: caCert(input, 'pgSslrootcert'),
  }
}
