// Fault injection: make the next N requests to a path fail with a status, hang up, answer late, redirect
// like a standby, or stream a hostile body (slow drip, huge).

// Which requests a fault applies to: a path below /v1/ (exact, or a prefix when it ends in "*"), or a RegExp.
export type PathMatcher = string | RegExp

// A body streamed instead of a normal answer: `bytes` of filler (Infinity: until the client hangs up), one
// `chunkBytes` piece every `intervalMs`; `declareLength` sends a Content-Length of `bytes` first.
export interface StreamSpec {
  bytes: number
  chunkBytes: number
  intervalMs: number
  declareLength: boolean
}

// What happened to one streamed answer, so a test can see that the client gave up (and when).
export interface StreamRecord {
  path: string
  bytesWritten: number
  startedAt: number
  closedAt: number | null // the client hung up or the body ended
  clientHungUp: boolean
}

// One armed fault.
interface FaultRule {
  path: PathMatcher
  method?: string
  remaining: number // Infinity for "until cleared"
  status?: number
  body?: unknown
  headers?: Record<string, string>
  latencyMs?: number
  drop?: boolean
  redirectBase?: string | null
  stream?: StreamSpec
  rateLimited?: boolean
}

// What the server must do for one request.
export interface FaultAction {
  latencyMs: number
  status?: number
  body?: unknown
  headers?: Record<string, string>
  drop?: boolean
  // 307 to this origin plus the request's own path and query; null: a standby that knows no active node.
  redirectBase?: string | null
  stream?: StreamSpec
}

// The controls tests use; every rule counts down and disarms itself.
export interface Faults {
  // The next `count` (default 1) matching requests answer `status` with `body` (default Vault's error envelope).
  failNext(path: PathMatcher, opts: { status: number; count?: number; body?: unknown; method?: string; headers?: Record<string, string> }): void
  // Matching requests wait `ms` before being handled (count defaults to unlimited).
  delay(path: PathMatcher, ms: number, opts?: { count?: number; method?: string }): void
  // The next `count` matching requests get their connection destroyed without a response.
  dropNext(path: PathMatcher, opts?: { count?: number; method?: string }): void
  // Vault's rate-limit quota answer: 429 "request path …: rate limit quota exceeded", optionally with Retry-After.
  rateLimit(path: PathMatcher, opts?: { count?: number; retryAfterS?: number; method?: string }): void
  // A standby with request forwarding off: 307 to `activeAddr` + the same path and query (no body), or 503
  // "no active Vault instance found" when activeAddr is null. sys/health, seal-status and leader stay local.
  standby(activeAddr: string | null, opts?: { count?: number }): void
  // 307 to `base` + the request's path and query, for the matching requests only.
  redirect(path: PathMatcher, base: string, opts?: { count?: number; method?: string }): void
  // Headers at once, then the body one byte at a time every `intervalMs`, until the client hangs up.
  slowDrip(path: PathMatcher, opts: { intervalMs: number; count?: number; method?: string }): void
  // A body of `bytes` (Infinity: endless) written as fast as the client takes it.
  hugeBody(path: PathMatcher, opts: { bytes: number; declareLength?: boolean; count?: number; method?: string }): void
  // Every streamed answer so far.
  readonly streams: StreamRecord[]
  clear(): void
}

// Vault's own texts (vault/quotas/quotas.go ErrRateLimitQuotaExceeded, http/handler.go respondStandby).
export const RATE_LIMIT_EXCEEDED = 'rate limit quota exceeded'
export const NO_ACTIVE_NODE = 'no active Vault instance found'

// Paths a standby answers itself (http/handler.go registers them outside the forwarding handler).
const STANDBY_LOCAL = /^(?!sys\/(health|seal-status|leader)$)/

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false
  if (rule.path instanceof RegExp) return rule.path.test(path)
  if (rule.path === '*') return true
  const p = rule.path.replace(/^\/?(v1\/)?/, '')
  return p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p
}

// Creates the fault table and the function the server consults per request.
export function createFaults(): { faults: Faults; take(method: string, path: string): FaultAction } {
  const rules: FaultRule[] = []
  const streams: StreamRecord[] = []
  const add = (rule: FaultRule) => void rules.push(rule)
  const faults: Faults = {
    failNext: (path, o) => add({ path, method: o.method, remaining: o.count ?? 1, status: o.status, body: o.body, headers: o.headers }),
    delay: (path, ms, o = {}) => add({ path, method: o.method, remaining: o.count ?? Infinity, latencyMs: ms }),
    dropNext: (path, o = {}) => add({ path, method: o.method, remaining: o.count ?? 1, drop: true }),
    rateLimit: (path, o = {}) =>
      add({ path, method: o.method, remaining: o.count ?? 1, status: 429, rateLimited: true, headers: o.retryAfterS === undefined ? undefined : { 'Retry-After': String(o.retryAfterS) } }),
    standby: (activeAddr, o = {}) => add({ path: STANDBY_LOCAL, remaining: o.count ?? Infinity, redirectBase: activeAddr }),
    redirect: (path, base, o = {}) => add({ path, method: o.method, remaining: o.count ?? 1, redirectBase: base }),
    slowDrip: (path, o) => add({ path, method: o.method, remaining: o.count ?? 1, stream: { bytes: Infinity, chunkBytes: 1, intervalMs: o.intervalMs, declareLength: false } }),
    hugeBody: (path, o) => add({ path, method: o.method, remaining: o.count ?? 1, stream: { bytes: o.bytes, chunkBytes: 64 * 1024, intervalMs: 0, declareLength: o.declareLength ?? false } }),
    streams,
    clear: () => void rules.splice(0),
  }
  function take(method: string, path: string): FaultAction {
    const action: FaultAction = { latencyMs: 0 }
    for (const rule of rules) {
      if (rule.remaining <= 0 || !matches(rule, method, path)) continue
      if (rule.latencyMs !== undefined) {
        action.latencyMs += rule.latencyMs
        rule.remaining -= 1
      } else if (action.status === undefined && !action.drop && action.redirectBase === undefined && !action.stream) {
        action.status = rule.status
        action.body = rule.rateLimited ? { errors: [`request path "${path}": ${RATE_LIMIT_EXCEEDED}`] } : rule.body
        action.headers = rule.headers
        action.drop = rule.drop
        action.redirectBase = rule.redirectBase
        action.stream = rule.stream
        rule.remaining -= 1
      }
    }
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.remaining <= 0) rules.splice(i, 1)
    return action
  }
  return { faults, take }
}
