// Vault connection settings read from the environment exactly like the vault CLI does
// (VAULT_ADDR, VAULT_TOKEN or ~/.vault-token, VAULT_CACERT/VAULT_CAPATH, VAULT_NAMESPACE,
// VAULT_SKIP_VERIFY parsed as a Go bool, VAULT_CLIENT_TIMEOUT, VAULT_MAX_RETRIES).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import { Secret } from '../util/secret.js'
import { DEFAULT_MAX_RETRIES, type RetryWait } from './retry-policy.js'

// Everything createVaultClient needs; build it with vaultConfigFromEnv or by hand in tests.
export interface VaultConfig {
  addr: string // scheme://host:port, no trailing slash
  token: Secret | null
  tokenSource: 'VAULT_TOKEN' | 'token file' | 'none' | 'explicit'
  caCert?: string // PEM bundle (VAULT_CACERT, or every file of VAULT_CAPATH)
  namespace?: string
  skipVerify: boolean
  timeoutMs: number // VAULT_CLIENT_TIMEOUT: one deadline per request, retries and waits included
  maxRetries?: number // VAULT_MAX_RETRIES: retries after the first attempt (default 2; 0 disables)
  retryWait?: RetryWait // backoff before the first retry (default 1000–1500 ms, as the vault CLI)
  maxResponseBytes?: number // answers larger than this are refused (default 8 MiB)
}

const DEFAULT_ADDR = 'https://127.0.0.1:8200'
const DEFAULT_TIMEOUT_MS = 60_000

// Go's strconv.ParseBool, which the vault CLI uses for VAULT_SKIP_VERIFY.
export function parseGoBool(value: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  return null
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

// Go's parseutil.ParseDurationSecond: plain seconds ("60") or a duration ("1.5s", "500ms", "1m30s") → ms.
function parseTimeout(raw: string): number | null {
  if (/^\d+$/.test(raw)) return Number(raw) * 1000
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw)) return null
  let ms = 0
  for (const m of raw.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!
  return Math.round(ms)
}

// Go's strconv.ParseUint(v, 10, 32), which the vault CLI uses for VAULT_MAX_RETRIES.
function parseRetries(raw: string): number | null {
  return /^\d+$/.test(raw) && Number(raw) <= 0xffffffff ? Number(raw) : null
}

// scheme://host[:port][/prefix] with the scheme and host lower-cased (Go's url.Parse accepts "HTTPS://").
function normaliseAddr(raw: string): string {
  const hint = 'Set VAULT_ADDR to e.g. https://vault.example.com:8200'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`VAULT_ADDR "${raw}" is not a URL`, { hint })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`VAULT_ADDR "${raw}" must use http or https`, { hint })
  if (url.username || url.password || url.search || url.hash) throw new ConfigError('VAULT_ADDR must not carry credentials, a query or a fragment', { hint })
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '')
}

function readCa(env: Record<string, string | undefined>): string | undefined {
  const file = env.VAULT_CACERT
  if (file) {
    try {
      return readFileSync(file, 'utf8')
    } catch (e) {
      throw new ConfigError(`VAULT_CACERT=${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Point VAULT_CACERT at the PEM file of the CA that signed the Vault certificate.', cause: e })
    }
  }
  const dir = env.VAULT_CAPATH
  if (!dir) return undefined
  try {
    const pems = readdirSync(dir).filter((n) => /\.(pem|crt)$/.test(n)).sort()
    if (pems.length === 0) throw new ConfigError(`VAULT_CAPATH=${dir} holds no .pem or .crt file`)
    return pems.map((n) => readFileSync(join(dir, n), 'utf8')).join('\n')
  } catch (e) {
    if (e instanceof ConfigError) throw e
    throw new ConfigError(`VAULT_CAPATH=${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e })
  }
}

// The vault CLI's token lookup: VAULT_TOKEN, else the token helper file ~/.vault-token (trimmed).
function readToken(env: Record<string, string | undefined>, homeDir: string): Pick<VaultConfig, 'token' | 'tokenSource'> {
  const fromEnv = env.VAULT_TOKEN?.trim()
  if (fromEnv) return { token: new Secret(fromEnv), tokenSource: 'VAULT_TOKEN' }
  const file = join(homeDir, '.vault-token')
  if (!existsSync(file)) return { token: null, tokenSource: 'none' }
  const value = readFileSync(file, 'utf8').trim()
  return value ? { token: new Secret(value), tokenSource: 'token file' } : { token: null, tokenSource: 'none' }
}

// Builds the configuration from an environment (usually process.env) and the user's home directory.
export function vaultConfigFromEnv(env: Record<string, string | undefined>, homeDir: string): VaultConfig {
  const addr = normaliseAddr(env.VAULT_ADDR?.trim() || DEFAULT_ADDR)
  let skipVerify = false
  const rawSkip = env.VAULT_SKIP_VERIFY
  if (rawSkip !== undefined && rawSkip !== '') {
    const parsed = parseGoBool(rawSkip)
    if (parsed === null) throw new ConfigError(`could not parse VAULT_SKIP_VERIFY value "${rawSkip}"`, { hint: 'Use true or false (Go boolean syntax: 1, t, true, 0, f, false).' })
    skipVerify = parsed
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS
  if (env.VAULT_CLIENT_TIMEOUT) {
    const parsed = parseTimeout(env.VAULT_CLIENT_TIMEOUT)
    if (parsed === null || parsed <= 0) throw new ConfigError(`could not parse VAULT_CLIENT_TIMEOUT value "${env.VAULT_CLIENT_TIMEOUT}"`, { hint: 'Use seconds (60) or a duration (90s, 2m, 500ms).' })
    timeoutMs = parsed
  }
  let maxRetries = DEFAULT_MAX_RETRIES
  if (env.VAULT_MAX_RETRIES) {
    const parsed = parseRetries(env.VAULT_MAX_RETRIES)
    if (parsed === null) throw new ConfigError(`could not parse VAULT_MAX_RETRIES value "${env.VAULT_MAX_RETRIES}"`, { hint: 'Use a whole number of retries (2 is the default, 0 disables retries).' })
    maxRetries = parsed
  }
  const namespace = env.VAULT_NAMESPACE?.trim() || undefined
  return { addr, ...readToken(env, homeDir), caCert: readCa(env), namespace, skipVerify, timeoutMs, maxRetries }
}
