// Fault injection: make the next N requests to a path fail with a status, hang up, or answer late.

// Which requests a fault applies to: a path below /v1/ (exact, or a prefix when it ends in "*"), or a RegExp.
export type PathMatcher = string | RegExp

// One armed fault.
interface FaultRule {
  path: PathMatcher
  method?: string
  remaining: number // Infinity for "until cleared"
  status?: number
  body?: unknown
  latencyMs?: number
  drop?: boolean
}

// What the pipeline must do for one request.
export interface FaultAction {
  latencyMs: number
  status?: number
  body?: unknown
  drop?: boolean
}

// The controls tests use; every rule counts down and disarms itself.
export interface Faults {
  // The next `count` (default 1) matching requests answer `status` with `body` (default Vault's error envelope).
  failNext(path: PathMatcher, opts: { status: number; count?: number; body?: unknown; method?: string }): void
  // Matching requests wait `ms` before being handled (count defaults to unlimited).
  delay(path: PathMatcher, ms: number, opts?: { count?: number; method?: string }): void
  // The next `count` matching requests get their connection destroyed without a response.
  dropNext(path: PathMatcher, opts?: { count?: number; method?: string }): void
  clear(): void
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false
  if (rule.path instanceof RegExp) return rule.path.test(path)
  if (rule.path === '*') return true
  const p = rule.path.replace(/^\/?(v1\/)?/, '')
  return p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p
}

// Creates the fault table and the function the pipeline consults per request.
export function createFaults(): { faults: Faults; take(method: string, path: string): FaultAction } {
  const rules: FaultRule[] = []
  const faults: Faults = {
    failNext: (path, o) => void rules.push({ path, method: o.method, remaining: o.count ?? 1, status: o.status, body: o.body }),
    delay: (path, ms, o = {}) => void rules.push({ path, method: o.method, remaining: o.count ?? Infinity, latencyMs: ms }),
    dropNext: (path, o = {}) => void rules.push({ path, method: o.method, remaining: o.count ?? 1, drop: true }),
    clear: () => void rules.splice(0),
  }
  function take(method: string, path: string): FaultAction {
    const action: FaultAction = { latencyMs: 0 }
    for (const rule of rules) {
      if (rule.remaining <= 0 || !matches(rule, method, path)) continue
      if (rule.latencyMs !== undefined) {
        action.latencyMs += rule.latencyMs
        rule.remaining -= 1
      } else if (action.status === undefined && !action.drop) {
        action.status = rule.status
        action.body = rule.body
        action.drop = rule.drop
        rule.remaining -= 1
      }
    }
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.remaining <= 0) rules.splice(i, 1)
    return action
  }
  return { faults, take }
}
