// Status checks of authctl's own bookkeeping on the host: the deploy lock (a held one is a run in
// progress; a stale one blocks every later run) and a restart an earlier run still owes.
import { sanitizeRemote } from '../../util/sanitize.js'
import type { FoundLock } from '../../remote/parse-status.js'
import { durationText, pass, problem, type Check, type CheckInput } from './check.js'

// The lock's details as a run writes them (context.ts runIdentity); anything may be missing or odd.
function lockDetails(lock: FoundLock): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(lock.details)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

// Whether the lock is stale, and how it reads for people.
function describeLock(input: CheckInput, lock: FoundLock): { stale: boolean; text: string; data: Check['data'] } {
  const d = lockDetails(lock)
  const field = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? sanitizeRemote(String(d[k])).slice(0, 200) : undefined)
  const since = Date.parse(field('since') ?? '')
  const taken = Number.isNaN(since) ? lock.mtime * 1000 : since
  const age = input.now.getTime() - taken
  const gone = input.lockOwnerGone(d)
  const stale = gone || age > input.staleAfterMs
  const who = `${field('who') ?? 'an unknown run'}${field('pid') ? ` (pid ${field('pid')})` : ''}`
  const text = `held by ${who} since ${new Date(taken).toISOString()} (${durationText(age)})${field('command') ? `: ${field('command')}` : ''}${gone ? '; that process is no longer running' : ''}`
  return { stale, text, data: { who: field('who') ?? null, since: new Date(taken).toISOString(), pid: field('pid') ?? null, stale } }
}

// Warns while a run holds the lock; fails when the lock is stale.
export function checkLock(input: CheckInput): Check {
  const lock = input.facts.lock
  if (!lock) return pass('lock', 'free')
  const { stale, text, data } = describeLock(input, lock)
  if (stale) {
    return problem('lock', 'fail', `stale deploy lock ${text}`, {
      hint: `Every setup and restart on this host fails with exit 3 until it is cleared. Make sure that run is gone, then: authctl lock release -l ${input.host.name} --yes`, data,
    })
  }
  return problem('lock', 'warn', `deploy lock ${text}: a run is in progress`, { data })
}

// Fails when a restart is still owed (warns while a running run does it).
export function checkRestart(input: CheckInput): Check {
  const owed = input.facts.state.pendingRestart
  if (owed === undefined) return pass('restart', 'none owed')
  const kind = owed === 'agent' ? 'a restart of vault-agent, server and worker' : 'docker compose up'
  const running = input.facts.lock !== undefined && !describeLock(input, input.facts.lock).stale
  if (running) return problem('restart', 'warn', `${kind} is owed; the run holding the lock is doing it`, { data: { kind: sanitizeRemote(owed) } })
  return problem('restart', 'fail', `${kind} is owed by a run that did not finish: the services may run with old files`, {
    hint: `authctl setup -l ${input.host.name} performs it and clears the marker once healthy.`, data: { kind: sanitizeRemote(owed) },
  })
}
