// `authctl status` for people: one aligned row per host and check, coloured on a terminal, then the
// next step for every check that did not pass and a one-line summary with the exit code.
import type { Check, CheckStatus } from './check.js'
import { sanitizeRemote } from '../../util/sanitize.js'

// What the table shows of a status result (the play's StatusResult fits it).
export interface StatusTableInput {
  exitCode: number
  strict: boolean
  vault: { addr: string; error: string | null }
  summary: { hosts: number; pass: number; warn: number; fail: number; unreachable: number }
  hosts: readonly { host: string; checks: readonly Check[] }[]
}

const LABEL: Record<CheckStatus, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' }
const COLOUR: Record<CheckStatus, number> = { pass: 32, warn: 33, fail: 31, skip: 2 }

// The table text; `colour` only on a terminal.
export function formatStatusTable(result: StatusTableInput, colour: boolean): string {
  const rows = result.hosts.flatMap((h) => h.checks.map((c) => ({ host: h.host, check: c })))
  const hostW = Math.max(4, ...rows.map((r) => r.host.length))
  const checkW = Math.max(5, ...rows.map((r) => r.check.id.length))
  const paint = (s: CheckStatus, text: string) => (colour ? `\x1b[${COLOUR[s]}m${text}\x1b[0m` : text)
  const lines = [`${'HOST'.padEnd(hostW)}  ${'CHECK'.padEnd(checkW)}  ${'RESULT'.padEnd(6)}  DETAIL`]
  for (const { host, check } of rows) {
    lines.push(`${host.padEnd(hostW)}  ${check.id.padEnd(checkW)}  ${paint(check.status, LABEL[check.status].padEnd(6))}  ${sanitizeRemote(check.summary)}`)
  }
  const hints = rows.filter((r) => r.check.hint && (r.check.status === 'fail' || r.check.status === 'warn'))
  if (hints.length > 0) lines.push('', ...hints.map((r) => `${r.host} ${r.check.id}: ${sanitizeRemote(r.check.hint ?? '')}`))
  if (result.vault.error) lines.push('', `Vault (${result.vault.addr}): ${sanitizeRemote(result.vault.error)}`)
  const s = result.summary
  lines.push('', `${s.hosts} host(s): ${s.pass} ok, ${s.warn} with warnings, ${s.fail} failing, ${s.unreachable} unreachable${result.strict ? ' (--strict: warnings fail)' : ''} — exit ${result.exitCode}`)
  return lines.join('\n') + '\n'
}
