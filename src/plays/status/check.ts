// One finding of `authctl status`: what was checked, how it went, in one line for people, with the
// next step when it did not pass and a few machine-readable values for CI. Never holds a secret.
import type { StatusFacts } from '../../remote/parse-status.js'
import type { LoginTestResult } from '../../vault/status-vault.js'
import type { DesiredState } from '../../render/desired.js'

// How a check went; skip when it could not apply (counts for nothing).
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

// One check's finding, as the table and --json show it.
export interface Check {
  // stable name CI may branch on (files, role-id, secret-id, secret-id-left-live, services, env, tmpfs, agent-auth, lock, restart, login-test)
  id: string
  status: CheckStatus
  summary: string
  hint?: string
  // every problem when there are several (the summary names the first)
  details?: string[]
  data?: Record<string, string | number | boolean | null>
}

// A check that passed (the shorthands keep each check's code to its facts).
export const pass = (id: string, summary: string, data?: Check['data']): Check => ({ id, status: 'pass', summary, ...(data ? { data } : {}) })
// A check that could not apply here.
export const skip = (id: string, summary: string): Check => ({ id, status: 'skip', summary })
// A check that warns or fails, with its hint, details and data.
export function problem(id: string, status: 'warn' | 'fail', summary: string, extra: Omit<Check, 'id' | 'status' | 'summary'> = {}): Check {
  return { id, status, summary, ...extra }
}

// The first of several problems, saying how many more there are.
export function firstOf(items: readonly string[]): string {
  return items[0] + (items.length > 1 ? ` (and ${items.length - 1} more)` : '')
}

// "29d 23h", "5h 3m", "42s": a length of time in its largest unit and the next one.
export function durationText(ms: number): string {
  const units: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]]
  const s = Math.max(0, Math.round(ms / 1000))
  const i = units.findIndex(([, size]) => s >= size)
  if (i < 0) return '0s'
  const [unit, size] = units[i]!
  const next = units[i + 1]
  const rest = next ? Math.floor((s % size) / next[1]) : 0
  return `${Math.floor(s / size)}${unit}${next && rest > 0 ? ` ${rest}${next[0]}` : ''}`
}

// Octal mode and numeric owner as ls -n would show them ("0400 100:1000").
export function ownerText(o: { mode: number; uid: number; gid: number }): string {
  return `${o.mode.toString(8).padStart(4, '0')} ${o.uid}:${o.gid}`
}

// What the manual AppRole login of --login-test gave.
export type LoginTestOutcome = { ok: LoginTestResult } | { skipped: string } | { error: string }

// Everything a check may look at for one host: gathered first, so each check is a pure function.
export interface CheckInput {
  host: { name: string; root: string; role: string }
  facts: StatusFacts
  // what setup would deploy (rendered files and directories; credentials are checked apart)
  desired: DesiredState
  // Vault's role-id of the host's AppRole, or why it could not be read
  roleId: { value: string } | { error: string }
  // Vault's answer for the accessor of the secret-id the file holds (matched by sha256 against the
  // host's record): null when Vault does not know it (undefined: the file matches no record)
  secretId?: { found: { expirationTime: Date | null; metadata?: Record<string, string> } | null } | { error: string }
  // secret-ids Vault has whose metadata names this host and that its file does not hold (left live), and
  // the role's shared ones (metadata naming no host) when the file is known to hold another
  leftLive?: { accessors: string[]; shared?: string[] } | { error: string }
  loginTest?: LoginTestOutcome
  now: Date
  warnBeforeMs: number
  staleAfterMs: number
  // whether the run named in a lock's details is known to be gone (same bastion, pid not running)
  lockOwnerGone(details: Record<string, unknown>): boolean
}

// A check: undefined when it does not apply (e.g. --login-test not asked).
export type StatusCheck = (input: CheckInput) => Check | undefined
