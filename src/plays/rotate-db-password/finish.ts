// Steps 4 to 7 of the database password rotation, shared by a fresh run and --resume: change the password
// in the database, log in with it, restart the hosts, and on a failure make Vault and the database agree
// again (roll Vault back, or leave a journal that --resume finishes). Every step is journaled first.
import type { DbEndpoint, DbPasswordChanger } from '../../db/db-types.js'
import { describeLogin } from '../../db/pg-error.js'
import type { DatabaseSecret } from '../../db/secret-endpoint.js'
import { DatabaseError, EXIT_CODES, exitCodeOf, InterruptedError } from '../../errors.js'
import type { Secret } from '../../util/secret.js'
import { changeNotApplied, decideAfterFailure, describeFacts, type Applied, type DbFacts, type LoginProbe } from './decide.js'
import { recordStep, type DbRotationOptions, type DbRotationPorts, type DbRotationResult } from './types.js'
import type { EngineResult } from '../../engine/run-play.js'
import type { RestartHostResult } from '../shared/rolling-restart.js'
import { markNotStarted, owedWithReasons } from '../shared/rotation-hosts.js'
import { markStep, type JournalStep, type DbJournal } from '../shared/rotation-journal.js'

// One rotation in flight: the version it started from (what a rollback writes back), the new password
// (from the generator, or read back from Vault on --resume), and how the database is reached and changed.
export interface RotationRun {
  p: DbRotationPorts
  o: DbRotationOptions
  journal: DbJournal
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

// Runs the remaining steps as one transaction on the engine: every host still owed a restart is locked and
// read first (more than --max-fail failing there stops the run before any change), then `first` (the
// confirmation, and for a new rotation the Vault write) and steps 4–5 run while the locks are held, then
// step 6 restarts the locked hosts. The result says how it ended.
export async function finishRotation(run: RotationRun, from: FinishFrom, first: (owed: readonly RestartHostResult[]) => Promise<void>): Promise<void> {
  const central = async (owed: readonly RestartHostResult[]): Promise<boolean> => {
    await first(owed)
    if (from === 'change' || from === 'wait') {
      const failure = await changeDatabase(run, from)
      if (failure !== undefined && !(await recover(run, failure))) return false
    }
    return from === 'propagate' || (await verifyNewPassword(run))
  }
  if (!run.o.restart) {
    if (await central([])) await finishWithoutRestart(run)
    return
  }
  const { p, journal, result } = run
  const todo = run.o.hosts.filter((h) => journal.hosts[h] !== 'changed')
  let reached = false
  const restarted = await p.restart(todo, async (_ready, owed) => {
    reached = true
    for (const h of owed) journal.hosts[h.host] = h.status
    result.owed = owed.map((h) => h.host)
    // the rotation's own error says why; each host's line only says it was not restarted
    return (await central(owed)) ? undefined : 'the rotation stopped before the restart (see its error)'
  })
  result.restart.hosts = restarted.hosts
  if (!reached) return notStarted(run, restarted)
  if (result.status === 'unfinished' && result.error === undefined) await settleRestart(run, todo, restarted)
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

// --no-restart: Vault and the database agree; the hosts pick the new password up when they next start.
async function finishWithoutRestart(run: RotationRun): Promise<void> {
  const { p, result } = run
  result.restart.mode = 'skipped'
  result.warnings.push(NO_RESTART_WARNING)
  recordStep(result, p.reporter, 6, 'skipped', 'no restart (--no-restart)')
  recordStep(result, p.reporter, 7, 'not needed', 'Vault and the database agree on the new password')
  await journalStep(run, 'done', 'finished without a restart (--no-restart)')
  result.status = 'rotated'
}

// More hosts than --max-fail could not be locked and read: the run stopped before steps 3–5 (nothing of
// this run changed), each host's reason is in the recap. A fresh rotation wrote nothing; a resumed one
// stays exactly as unfinished as it was.
function notStarted(run: RotationRun, restarted: EngineResult<RestartHostResult>): void {
  markNotStarted(run.result, restarted, run.journal, run.o.hosts, {
    command: 'rotate-db-password', unchanged: 'Vault and the database keep the current password',
    leftOut: 'they then owe a restart, which authctl rotate-db-password --resume finishes',
  })
}

// After step 6: every locked host restarted (done), or the ones that did not (and the ones never reached)
// stay owed in the journal for --resume.
async function settleRestart(run: RotationRun, todo: readonly string[], restarted: EngineResult<RestartHostResult>): Promise<void> {
  const { p, o, journal, result } = run
  for (const h of restarted.hosts) journal.hosts[h.host] = h.status
  const owed = o.hosts.filter((h) => journal.hosts[h] !== 'changed')
  result.owed = owed
  recordStep(result, p.reporter, 7, 'not needed', 'Vault and the database agree on the new password')
  if (owed.length === 0 && restarted.exitCode === 0) {
    recordStep(result, p.reporter, 6, 'done', `restarted ${todo.join(', ')} (${o.rollout}), each healthy with a fresh agent login and .env rendered`)
    await journalStep(run, 'done', 'every host restarted')
    result.status = 'rotated'
    return
  }
  recordStep(result, p.reporter, 6, 'failed', `still to restart: ${owedWithReasons(owed, restarted.hosts)}`)
  await journalStep(run, 'propagate', `${owed.join(', ')} still to restart`)
  result.error = {
    message: `Vault and the database hold the new password, but ${owedWithReasons(owed, restarted.hosts)} ${owed.length === 1 ? 'was' : 'were'} not restarted and may still use the previous one, which the database refuses for new connections`,
    hint: `Fix those hosts (see the recap), then run authctl rotate-db-password --resume: it restarts only ${owed.join(', ')} (or: authctl restart -l ${owed.join(',')}).`,
  }
  result.exitCode = restarted.exitCode || EXIT_CODES.hostFailed
}
