// What the password rotation does when the database change did not go as planned, decided from facts
// (which password the database accepts now, whether RDS is still applying one), never from guesses, so
// that Vault and the database end up agreeing: by finishing the change, or by rolling Vault back.
import { DatabaseError, InterruptedError, ConfigError } from '../../errors.js'

// What a real login with one password gave: accepted, refused, or no answer (unreachable, TLS, timeout).
export type LoginProbe = 'ok' | 'refused' | 'unreachable'

// The database's state as seen after a failure or on --resume; pending null means it could not be told.
export interface DbFacts {
  next: LoginProbe
  old: LoginProbe
  pending: boolean | null
}

// Whether the failed change can have reached the database: 'no' when it was provably never sent or refused.
export type Applied = 'no' | 'maybe'

// After a failure in step 4 or 5: go on (the change took effect), roll Vault back, or leave it for --resume.
export type FailureDecision = 'continue' | 'rollback' | 'leave'

export function decideAfterFailure(facts: DbFacts, applied: Applied): FailureDecision {
  if (facts.next === 'ok') return 'continue'
  // RDS may still apply the new password: rolling Vault back now could leave it behind the database
  if (applied === 'maybe' && facts.pending !== false) return 'leave'
  if (facts.old === 'ok') return 'rollback'
  return applied === 'no' ? 'rollback' : 'leave'
}

// On --resume with Vault holding the new password: verify and propagate, wait for RDS, change again, or stop.
export type ResumeDecision = 'continue' | 'wait' | 'redo' | 'stuck'

export function decideOnResume(facts: DbFacts): ResumeDecision {
  if (facts.next === 'ok') return 'continue'
  if (facts.pending === true) return 'wait'
  if (facts.old === 'ok' && facts.pending === false) return 'redo'
  return 'stuck'
}

// Whether a failed changePassword provably changed nothing: a documented refusal by RDS or PostgreSQL
// (reasons state, refused), a bad input, or a login or TLS failure before any statement. A lost connection,
// a timeout, an RDS 5xx, throttling or an error RDS does not document (reason unknown) may have applied it.
export function changeNotApplied(error: unknown): boolean {
  if (error instanceof InterruptedError) return false
  if (error instanceof ConfigError) return true
  return error instanceof DatabaseError && ['state', 'refused', 'login-refused', 'tls'].includes(error.reason)
}

// The facts in words, for messages.
export function describeFacts(facts: DbFacts): string {
  const words = (p: LoginProbe): string => (p === 'ok' ? 'accepts' : p === 'refused' ? 'refuses' : 'could not be asked about')
  const pending = facts.pending === true ? '; RDS is still applying a password change' : facts.pending === null ? '; whether RDS is still applying a change is unknown' : ''
  return `the database ${words(facts.next)} the new password and ${words(facts.old)} the previous one${pending}`
}
