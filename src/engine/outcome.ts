// Marking a host's outcome: one place turns any thrown value into a status, a message, a hint and the
// exit code from the table, and tells the operator at once.
import { AuthctlError, BugError, EXIT_CODES, UnreachableError } from '../errors.js'
import type { HostOutcome } from './host-result.js'
import type { Reporter } from './reporter.js'
import { sanitizeRemote } from '../util/sanitize.js'

// Fails a host (unreachable when it could not be reached); a non-authctl error is a bug.
export function failHost(result: HostOutcome, error: unknown, reporter: Reporter, status: 'failed' | 'unreachable' = 'failed'): void {
  const e = asAuthctlError(error)
  result.status = e.exitCode === EXIT_CODES.unreachable ? 'unreachable' : status
  result.error = { message: e.message, hint: e.hint, exitCode: result.status === 'unreachable' ? EXIT_CODES.unreachable : e.exitCode }
  reporter.warn(result.host, e.message)
}

// Any thrown value as one of ours: a non-authctl error is a bug.
export function asAuthctlError(error: unknown): AuthctlError {
  return error instanceof AuthctlError ? error : new BugError(error instanceof Error ? error.message : String(error), { cause: error })
}

// One host's connection from the connector's answer, or why it is unreachable (what the connector
// said, or that no connection was attempted, which is our bug). What the connector said can quote the
// peer (its disconnect reason, a jump host's refusal), so it is sanitized here, once for every command.
export function connectionOf<C>(connections: ReadonlyMap<string, C | Error>, name: string): C | AuthctlError {
  const c = connections.get(name)
  if (c === undefined) return new BugError(`${name}: no connection was attempted`)
  if (!(c instanceof Error)) return c
  const hint = c instanceof AuthctlError && c.hint !== undefined ? sanitizeRemote(c.hint, { newlines: true }) : undefined
  return new UnreachableError(sanitizeRemote(c.message, { newlines: true }), { hint, cause: c })
}

// Failures counted toward --max-fail (an unreachable host counts only when the play says so).
export function failedCount(results: readonly HostOutcome[], unreachableCounts: boolean): number {
  return results.filter((r) => r.status === 'failed' || (unreachableCounts && r.status === 'unreachable')).length
}

// Records a warning on the host's result (so --json carries it) and shows it.
export function warnHost(result: HostOutcome, message: string, reporter: Reporter): void {
  result.warnings.push(message)
  reporter.warn(result.host, message)
}
