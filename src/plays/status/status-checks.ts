// The checks `authctl status` runs on each reached host, in the order they are shown. Each is a pure
// function of what was gathered (one remote round trip, Vault's answers), so adding one is one line
// here — e.g. an unfinished rotation journal, once the status script reports it.
import { checkAgentAuth } from './check-agent.js'
import { checkLock, checkRestart } from './check-bookkeeping.js'
import { checkFiles } from './check-files.js'
import { checkEnv, checkServices, checkTmpfs } from './check-stack.js'
import { checkLeftLive, checkLoginTest, checkRoleId, checkSecretId } from './check-vault.js'
import type { Check, CheckInput, StatusCheck } from './check.js'

// Every check, in the order the table shows them.
export const STATUS_CHECKS: readonly StatusCheck[] = [
  checkFiles,
  checkRoleId,
  checkSecretId,
  checkLeftLive,
  checkServices,
  checkEnv,
  checkTmpfs,
  checkAgentAuth,
  checkLock,
  checkRestart,
  checkLoginTest,
]

// How a host fared: the worst of its checks (a skipped check counts for nothing).
export type Verdict = 'pass' | 'warn' | 'fail' | 'unreachable'

// Runs every check that applies.
export function runChecks(input: CheckInput, checks: readonly StatusCheck[] = STATUS_CHECKS): Check[] {
  return checks.map((check) => check(input)).filter((c): c is Check => c !== undefined)
}

// The worst status among the checks.
export function verdictOf(checks: readonly Check[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail'
  if (checks.some((c) => c.status === 'warn')) return 'warn'
  return 'pass'
}
