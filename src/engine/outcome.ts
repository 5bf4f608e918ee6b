// Marking a host's outcome: one place turns any thrown value into a status, a message, a hint and the
// exit code from the table, and tells the operator at once.
import { AuthctlError, BugError, EXIT_CODES } from '../errors.js'
import type { HostOutcome } from './host-result.js'
import type { Reporter } from './reporter.js'

// Fails a host (unreachable when it could not be reached); a non-authctl error is a bug.
export function failHost(result: HostOutcome, error: unknown, reporter: Reporter, status: 'failed' | 'unreachable' = 'failed'): void {
  const e = error instanceof AuthctlError ? error : new BugError(error instanceof Error ? error.message : String(error), { cause: error })
  result.status = e.exitCode === EXIT_CODES.unreachable ? 'unreachable' : status
  result.error = { message: e.message, hint: e.hint, exitCode: result.status === 'unreachable' ? EXIT_CODES.unreachable : e.exitCode }
  reporter.warn(result.host, e.message)
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
