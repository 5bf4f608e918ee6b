// When a Vault request may be sent again, and how long to wait first. The vault CLI (api/client.go
// DefaultRetryPolicy over go-retryablehttp) retries 412, 429, every 5xx but 501 and connection errors, for
// any request, with a linear jittered backoff (1–1.5 s, then 2–3 s) or Retry-After on 429/503. authctl
// does the same for idempotent requests only: a resent secret-id create could mint two, a resent login
// uses the secret-id up twice, a resent unwrap fails, a resent KV write adds a version (or, with cas,
// reports a false conflict). Those are resent only when the failure proves Vault never processed them.
import { DEADLINE_CODE, isTlsCode, TOO_LARGE_CODE, vaultErrors } from './vault-error.js'

// The backoff range before the first retry; the n-th retry waits n times a value drawn from it.
export interface RetryWait {
  minMs: number
  maxMs: number
}

// The vault CLI's defaults (api/client.go DefaultConfig): VAULT_MAX_RETRIES=2, 1000–1500 ms.
export const DEFAULT_MAX_RETRIES = 2
export const DEFAULT_RETRY_WAIT: RetryWait = { minMs: 1000, maxMs: 1500 }

// POST endpoints that only read (Vault has no GET form for them).
const READ_ONLY_POSTS = [/^sys\/wrapping\/lookup$/, /^sys\/capabilities-self$/, /^auth\/token\/lookup(-accessor)?$/, /^auth\/[^/]+\/role\/[^/]+\/secret-id(-accessor)?\/lookup$/]

// Failures before the request left this machine: nothing reached Vault, so anything may be resent.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

// Vault's 503 texts for a node that processed nothing (sealed; a standby that knows no active node).
const UNPROCESSED_503 = ['Vault is sealed', 'no active Vault instance found', 'node is not active']

// Whether sending the request twice has the effect of sending it once. Reads and deletes are; the caller
// may say otherwise with `idempotent`.
export function isIdempotent(req: { method: string; path: string; idempotent?: boolean }): boolean {
  if (req.idempotent !== undefined) return req.idempotent
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return true
  return req.method === 'POST' && READ_ONLY_POSTS.some((re) => re.test(req.path))
}

// An answer proving Vault did not process the request: 412 (X-Vault-Index not met) and 429 (rate-limit
// quota) are checked before routing, and a sealed node or leaderless standby handles nothing.
export function refusedUnprocessed(status: number, body: unknown): boolean {
  if (status === 412 || status === 429) return true
  return status === 503 && vaultErrors(body).some((e) => UNPROCESSED_503.some((t) => e.includes(t)))
}

// Whether an HTTP answer is worth another attempt.
export function retryableStatus(status: number, body: unknown, idempotent: boolean): boolean {
  if (refusedUnprocessed(status, body)) return true
  return idempotent && status >= 500 && status !== 501
}

// Whether a failed connection is worth another attempt (never TLS verification, the deadline or the cap).
export function retryableError(code: string, idempotent: boolean): boolean {
  if (NOT_SENT.has(code)) return true
  if (!idempotent || isTlsCode(code) || code === DEADLINE_CODE || code === TOO_LARGE_CODE) return false
  return !code.startsWith('ERR_')
}

// Milliseconds before retry number `retry` (1-based): Retry-After when Vault sent one, else linear jitter.
export function backoffMs(retry: number, wait: RetryWait, retryAfterMs: number | null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return retryAfterMs
  return Math.floor((wait.minMs + random() * (wait.maxMs - wait.minMs)) * retry)
}

// A Retry-After header (seconds or an HTTP date) in milliseconds from now; null when absent or invalid.
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}
