// The only code that speaks HTTP to Vault. A small typed client over node:http/node:https instead of
// node-vault: node-vault 0.12 mutates its config-level headers (a rotated token is silently ignored),
// drops custom headers on update() (PATCH), ignores VAULT_CACERT and treats VAULT_SKIP_VERIFY=false as
// true (shared/reference/node-vault.md, libraries.md). node:https (not global fetch) because it takes
// the CA bundle directly; fetch would need an undici dispatcher we cannot import by name on Node 20.
// Like the vault CLI, one send() is bounded by VAULT_CLIENT_TIMEOUT as a whole (retries and waits
// included), retries per VAULT_MAX_RETRIES (retry-policy.ts) and follows one redirect (redirect.ts).
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Secret } from '../util/secret.js'
import type { VaultConfig } from './config.js'
import { exchange, type ExchangeResult } from './http-exchange.js'
import { isRedirect, redirectTarget } from './redirect.js'
import { backoffMs, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_WAIT, isIdempotent, parseRetryAfter, retryableError, retryableStatus } from './retry-policy.js'
import { httpError, transportError, type RequestDescription } from './vault-error.js'

// The response size cap when the configuration sets none: Vault answers authctl's calls in kilobytes.
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

// One call. `token: null` sends no token (login); undefined uses the client's token.
export interface VaultRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string // below /v1/, no leading slash; never a secret
  query?: Record<string, string>
  body?: unknown
  headers?: Record<string, string>
  token?: Secret | null
  // Values to scrub from any error text (secret-ids, KV values sent in the body).
  secrets?: readonly Secret[]
  // The ACL capability this call needs, for permission-denied messages; derived from the method if absent.
  capability?: string
  // Statuses handed back to the caller instead of becoming a VaultError (never retried).
  accept?: readonly number[]
  // Whether sending it twice equals sending it once; by default GET/HEAD/DELETE and read-only POSTs.
  idempotent?: boolean
}

// Status plus parsed JSON (null for an empty body).
export interface VaultResponse {
  status: number
  body: unknown
}

// Sends requests for one configuration and one token.
export interface VaultTransport {
  readonly config: VaultConfig
  readonly token: Secret | null
  send(req: VaultRequest): Promise<VaultResponse>
  withToken(token: Secret | null): VaultTransport
}

function defaultCapability(req: VaultRequest): string {
  if (req.query?.list === 'true') return 'list'
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return 'read'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return 'delete'
    default:
      return 'update'
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? (error as Error | null)?.name ?? 'error'
}

// Waits `ms` unless that would pass the deadline; false when there is no time left for another attempt.
async function pause(ms: number, deadline: number): Promise<boolean> {
  if (Date.now() + ms >= deadline) return false
  await new Promise((resolve) => setTimeout(resolve, ms))
  return true
}

// Headers and body of a request; the token goes only in X-Vault-Token, never in the URL.
function wire(config: VaultConfig, req: VaultRequest, token: Secret | null): { headers: Record<string, string>; payload?: string } {
  const headers: Record<string, string> = { 'X-Vault-Request': 'true', ...req.headers }
  if (token) headers['X-Vault-Token'] = token.reveal()
  if (config.namespace) headers['X-Vault-Namespace'] = config.namespace
  if (req.body === undefined) return { headers }
  const payload = JSON.stringify(req.body)
  headers['Content-Type'] = req.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'
  headers['Content-Length'] = String(Buffer.byteLength(payload))
  return { headers, payload }
}

// Builds a transport; the agent carries the CA bundle and the verify setting for every call.
export function createTransport(config: VaultConfig, token: Secret | null = config.token): VaultTransport {
  const https = new URL(config.addr).protocol === 'https:'
  const agent = https ? new HttpsAgent({ ca: config.caCert, rejectUnauthorized: !config.skipVerify }) : new HttpAgent()
  return makeTransport(config, token, agent)
}

function makeTransport(config: VaultConfig, token: Secret | null, agent: HttpAgent | HttpsAgent): VaultTransport {
  const maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES
  const wait = config.retryWait ?? DEFAULT_RETRY_WAIT
  const maxBytes = config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

  const send = async (req: VaultRequest): Promise<VaultResponse> => {
    const useToken = req.token === undefined ? token : req.token
    const desc: RequestDescription = {
      method: req.method,
      path: req.path,
      capability: req.capability ?? defaultCapability(req),
      addr: config.addr,
      secrets: [...(useToken ? [useToken] : []), ...(req.secrets ?? [])],
      timeoutMs: config.timeoutMs,
      maxBytes,
    }
    const idempotent = isIdempotent(req)
    const { headers, payload } = wire(config, req, useToken)
    let url = new URL(`${config.addr}/v1/${req.path}`)
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v)
    const deadline = Date.now() + config.timeoutMs
    const signal = AbortSignal.timeout(config.timeoutMs)
    let redirected = false
    for (let attempt = 1; ; attempt++) {
      let answer: ExchangeResult
      try {
        answer = await exchange(url, { method: req.method, headers, payload, agent, signal, maxBytes })
      } catch (error) {
        const code = errorCode(error)
        if (attempt <= maxRetries && retryableError(code, idempotent) && (await pause(backoffMs(attempt, wait, null), deadline))) continue
        throw transportError(error, { ...desc, attempts: attempt, mayHaveApplied: !idempotent && retryableError(code, true) && !retryableError(code, false) })
      }
      if (isRedirect(answer.status)) {
        url = redirectTarget(url, answer.status, answer.headers.location, { redirectedBefore: redirected, desc })
        redirected = true
        attempt--
        continue
      }
      const body = parseBody(answer.text)
      const { status } = answer
      if (status < 400 || (req.accept ?? []).includes(status)) return { status, body }
      const retryAfter = parseRetryAfter(answer.headers['retry-after'])
      if (attempt <= maxRetries && retryableStatus(status, body, idempotent) && (await pause(backoffMs(attempt, wait, retryAfter), deadline))) continue
      throw httpError(status, body, { ...desc, attempts: attempt, mayHaveApplied: !idempotent && retryableStatus(status, body, true) && !retryableStatus(status, body, false) })
    }
  }
  return { config, token, send, withToken: (t) => makeTransport(config, t, agent) }
}

function parseBody(text: string): unknown {
  if (text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return { errors: [`non-JSON answer (${text.length} bytes)`] }
  }
}
