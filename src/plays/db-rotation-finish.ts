// Steps 4 to 7 of the database password rotation, shared by a fresh run and --resume: change the password
// in the database, log in with it, restart the hosts, and on a failure make Vault and the database agree
// again (roll Vault back, or leave a journal that --resume finishes). Every step is journaled first.
import type { DbEndpoint, DbPasswordChanger } from '../db/db-types.js'
import { describeLogin } from '../db/pg-error.js'
import type { DatabaseSecret } from '../db/secret-endpoint.js'
import { DatabaseError, EXIT_CODES, exitCodeOf, InterruptedError } from '../errors.js'
import type { Secret } from '../output/secret.js'
import { changeNotApplied, decideAfterFailure, describeFacts, type Applied, type DbFacts, type LoginProbe } from './db-rotation-decide.js'
import { recordStep, type DbRotationOptions, type DbRotationPorts, type DbRotationResult } from './db-rotation-types.js'
import { markStep, type JournalStep, type RotationJournal } from './rotation-journal.js'

// One rotation in flight: the version it started from (what a rollback writes back), the new password
// (from the generator, or read back from Vault on --resume), and how the database is reached and changed.
export interface RotationRun {
  p: DbRotationPorts
  o: DbRotationOptions
  journal: RotationJournal
  result: DbRotationResult
  old: DatabaseSecret
  next: Secret
  endpoint: DbEndpoint
  changer: DbPasswordChanger
}

// Where steps 4–7 start: the change itself, the wait for RDS, the login check, or the restart.
export type FinishFrom = 'change' | 'wait' | 'verify' | 'propagate'

interface Failure {
  step: 4 | 5
  error: Error
  applied: Applied
}

const POLL_MS = 2_000
const PROGRESS_EVERY_MS = 30_000

// Journals the step (no secrets), then writes it.
export async function journalStep(run: RotationRun, step: JournalStep, note: string): Promise<void> {
  markStep(run.journal, step, note, run.p.now())
  await run.p.journal.save(run.journal)
}

// Runs the remaining steps; the result says how it ended.
export async function finishRotation(run: RotationRun, from: FinishFrom): Promise<void> {
  if (from === 'change' || from === 'wait') {
    const failure = await changeDatabase(run, from)
    if (failure !== undefined && !(await recover(run, failure))) return
  }
  if (from !== 'propagate' && !(await verifyNewPassword(run))) return
  await propagate(run)
}

async function changeDatabase(run: RotationRun, from: 'change' | 'wait'): Promise<Failure | undefined> {
  const { p, o, changer } = run
  if (from === 'change') {
    await journalStep(run, 'db-change', `changing the password: ${run.result.target}`)
    // checked again right before the change: a failure here provably changed nothing
    try {
      await changer.preflight(p.signal)
    } catch (error) {
      return { step: 4, error: error as Error, applied: 'no' }
    }
    try {
      await changer.changePassword(run.next, p.signal)
    } catch (error) {
      return { step: 4, error: error as Error, applied: changeNotApplied(error) ? 'no' : 'maybe' }
    }
    if (changer.method === 'rds') p.reporter.event('*', 'step 4: ModifyDBInstance accepted; waiting until RDS has applied it')
  }
  let last = { status: '', pending: false, at: 0 }
  try {
    await changer.waitApplied({
      timeoutMs: o.applyTimeoutMs, intervalMs: POLL_MS, signal: p.signal,
      onProgress: (progress) => {
        if (changer.method === 'sql') return
        if (progress.status === last.status && progress.pending === last.pending && progress.elapsedMs - last.at < PROGRESS_EVERY_MS) return
        last = { status: progress.status, pending: progress.pending, at: progress.elapsedMs }
        p.reporter.event('*', `step 4: ${progress.status}${progress.pending ? ', password change pending' : ''} (${Math.round(progress.elapsedMs / 1000)} s)`)
      },
    })
  } catch (error) {
    return { step: 4, error: error as Error, applied: 'maybe' }
  }
  recordStep(run.result, p.reporter, 4, 'done', changer.method === 'rds' ? `${run.result.target}: applied` : `ALTER ROLE ${run.old.user}: committed`)
  await journalStep(run, 'db-verify', 'the database applied the change')
  return undefined
}

async function verifyNewPassword(run: RotationRun): Promise<boolean> {
  const { p, endpoint } = run
  const where = describeLogin(endpoint, run.old.user)
  let refusal: Error
  try {
    const check = await p.checkLogin(endpoint, { user: run.old.user, password: run.next }, p.signal)
    if (check.ok) {
      run.result.database.newPasswordLogsIn = true
      const old = await probe(run, run.old.password)
      run.result.database.oldPasswordRefused = old === 'unreachable' ? null : old === 'refused'
      if (old === 'ok') run.result.warnings.push(`the database still accepts the previous password for ${where}: check pg_hba.conf for trust or other methods`)
      recordStep(run.result, p.reporter, 5, 'done', `the new password logs in as ${where}${old === 'refused' ? '; the previous one is refused' : ''}`)
      await journalStep(run, 'propagate', 'the new password logs in')
      return true
    }
    refusal = new DatabaseError(`the new password is refused: ${check.message}`, { reason: 'login-refused' })
  } catch (error) {
    refusal = error as Error
  }
  return recover(run, { step: 5, error: refusal, applied: 'maybe' })
}

async function probe(run: RotationRun, password: Secret): Promise<LoginProbe> {
  try {
    return (await run.p.checkLogin(run.endpoint, { user: run.old.user, password }, run.p.signal)).ok ? 'ok' : 'refused'
  } catch {
    return 'unreachable'
  }
}

// Which password the database takes now, and whether RDS is still applying one (preflight refuses then).
export async function dbFacts(run: RotationRun): Promise<DbFacts> {
  const next = await probe(run, run.next)
  const old = next === 'ok' ? 'refused' : await probe(run, run.old.password)
  if (run.changer.method === 'sql') return { next, old, pending: false }
  try {
    await run.changer.preflight(run.p.signal)
    return { next, old, pending: false }
  } catch (error) {
    return { next, old, pending: error instanceof DatabaseError && error.reason === 'state' ? true : null }
  }
}

// After a failed step 4 or 5: true when the change took effect after all (go on), else the run ends here.
async function recover(run: RotationRun, failure: Failure): Promise<boolean> {
  const { p, result } = run
  recordStep(result, p.reporter, failure.step, 'failed', failure.error.message)
  if (failure.error instanceof InterruptedError) return leave(run, failure.error, undefined)
  const facts = await dbFacts(run)
  const decision = decideAfterFailure(facts, failure.applied)
  if (decision === 'continue') {
    const what = failure.step === 4 ? 'the call failed' : 'the first login failed'
    recordStep(result, p.reporter, failure.step, 'done', `${what} (${failure.error.message}), but the database accepts the new password`)
    result.database.newPasswordLogsIn = true
    await journalStep(run, failure.step === 4 ? 'db-verify' : 'propagate', 'the new password logs in after all')
    return true
  }
  if (decision === 'rollback') await rollback(run, failure.error, facts)
  else leave(run, failure.error, facts)
  return false
}

// Step 7: version v's data written back as a new version with check-and-set on ours (vault kv rollback).
async function rollback(run: RotationRun, cause: Error, facts: DbFacts): Promise<void> {
  const { p, o, journal, result } = run
  const from = journal.fromVersion
  await journalStep(run, 'rollback', `rolling back: ${describeFacts(facts)}`)
  try {
    const meta = await p.vault.kvWrite(o.mount, o.key, run.old.data, { cas: journal.toVersion ?? from })
    journal.rollbackVersion = meta.version
    result.versions.rollback = meta.version
    const confirmed = facts.old === 'ok' ? 'the database accepts it' : 'the database could not be asked to confirm it'
    recordStep(result, p.reporter, 7, 'done', `wrote version ${from}'s data back as version ${meta.version}: Vault holds the previous password again; ${confirmed}`)
    await journalStep(run, 'rolled-back', `version ${meta.version} holds version ${from}'s data`)
    result.status = 'rolled-back'
    result.error = {
      message: `the database password was not changed (${cause.message}); Vault was rolled back: version ${meta.version} holds the previous password again (version ${from}'s data)`,
      hint: 'Nothing needs undoing and the hosts were not restarted. Fix the cause, then run authctl rotate-db-password again.',
    }
    result.exitCode = exitCodeOf(cause)
  } catch (error) {
    recordStep(result, p.reporter, 7, 'failed', (error as Error).message)
    result.status = 'unfinished'
    result.error = {
      message: `the database password was not changed (${cause.message}) and Vault could not be rolled back (${(error as Error).message}): Vault version ${journal.toVersion} holds a password the database does not accept`,
      hint: 'Do not restart the hosts. Run authctl rotate-db-password --resume once Vault answers: it changes the database to Vault\'s password or rolls Vault back.',
    }
    result.exitCode = EXIT_CODES.vault
  }
}

// The run stops with the journal where it is: --resume finishes the rotation later.
function leave(run: RotationRun, cause: Error, facts: DbFacts | undefined): false {
  const { result, journal } = run
  result.status = 'unfinished'
  const state = facts === undefined ? '' : `; ${describeFacts(facts)}`
  result.error = {
    message: `${cause.message}. The rotation is unfinished: Vault version ${journal.toVersion} holds the new password${state}`,
    hint: `Do not restart the hosts until it is finished. Run authctl rotate-db-password --resume once ${facts?.pending === true ? 'RDS has applied the change' : facts?.pending === null ? 'RDS and the database answer' : 'the database answers'}: it reads the new password back from Vault and finishes or rolls back (journal: ${run.p.journal.path}).`,
  }
  result.exitCode = exitCodeOf(cause)
  return false
}

// The agent's 5-minute refresh re-renders .env, but server and worker read it only when they start.
export const NO_RESTART_WARNING =
  'not restarted (--no-restart): the agents re-render .env with the new password within 5 minutes, but server and worker read .env only when they start. Their open database connections keep working; every new connection they open uses the previous password, which the database now refuses. Restart soon: authctl restart'

// Step 6: a rolling restart of the hosts not restarted yet, each healthy with a fresh agent login.
async function propagate(run: RotationRun): Promise<void> {
  const { p, o, journal, result } = run
  const agreed = (): void => recordStep(result, p.reporter, 7, 'not needed', 'Vault and the database agree on the new password')
  if (!o.restart) {
    result.restart.mode = 'skipped'
    result.warnings.push(NO_RESTART_WARNING)
    recordStep(result, p.reporter, 6, 'skipped', 'no restart (--no-restart)')
    agreed()
    await journalStep(run, 'done', 'finished without a restart (--no-restart)')
    result.status = 'rotated'
    return
  }
  const todo = o.hosts.filter((h) => journal.hosts[h] !== 'changed')
  await journalStep(run, 'propagate', `restarting ${todo.join(', ')} (${o.rollout})`)
  const restarted = await p.restart(todo)
  for (const h of restarted.hosts) journal.hosts[h.host] = h.status
  result.restart.hosts = restarted.hosts
  const failed = restarted.hosts.filter((h) => h.status !== 'changed').map((h) => h.host)
  if (restarted.exitCode === 0 && failed.length === 0) {
    recordStep(result, p.reporter, 6, 'done', `restarted ${todo.join(', ')} (${o.rollout}), each healthy with a fresh agent login and .env rendered`)
    agreed()
    await journalStep(run, 'done', 'every host restarted')
    result.status = 'rotated'
    return
  }
  recordStep(result, p.reporter, 6, 'failed', `${failed.join(', ')} did not restart healthy`)
  agreed()
  await journalStep(run, 'propagate', `${failed.join(', ')} still to restart`)
  result.status = 'unfinished'
  result.error = {
    message: `Vault and the database hold the new password, but ${failed.join(', ')} did not restart healthy and may still use the previous one, which the database refuses for new connections`,
    hint: 'Fix those hosts (see the recap), then run authctl rotate-db-password --resume: it restarts only the hosts that have not restarted.',
  }
  result.exitCode = restarted.exitCode || EXIT_CODES.hostFailed
}
