// `rotate-db-password --resume`: finishes a rotation whose run stopped (killed, interrupted, a failure it
// could not settle). It trusts facts over the journal: which version Vault holds now, and which password
// the database accepts. The new password is read back from Vault, never from the journal (it holds none).
import { describeLogin } from '../../db/pg-error.js'
import type { DatabaseSecret } from '../../db/secret-endpoint.js'
import { ConfigError, DatabaseError, EXIT_CODES, VaultError } from '../../errors.js'
import { decideOnResume, describeFacts } from './decide.js'
import { dbFacts, finishRotation, type RotationRun } from './finish.js'
import { changeLines, connectDatabase, newResult, readSecret } from './steps.js'
import { owedLines } from '../shared/rotation-hosts.js'
import { recordStep, type ChangerSpec, type DbRotationOptions, type DbRotationPorts, type DbRotationResult } from './types.js'
import { isUnfinished, markStep, type DbJournal } from '../shared/rotation-journal.js'

// Where Vault stands against the journal: our new version, our rollback, nothing written, or someone else's.
type VaultState = { kind: 'new'; version: number; secret: DatabaseSecret } | { kind: 'rolled-back'; version: number } | { kind: 'unwritten' }

// Same fields and values, except `except`.
function sameData(a: DatabaseSecret, b: DatabaseSecret, except?: string): boolean {
  const keys = new Set([...Object.keys(a.data), ...Object.keys(b.data)])
  return [...keys].every((k) => k === except || a.data[k]?.reveal() === b.data[k]?.reveal())
}

async function vaultState(p: DbRotationPorts, o: DbRotationOptions, j: DbJournal, old: DatabaseSecret): Promise<VaultState> {
  const meta = await p.vault.kvMetadata(o.mount, o.key)
  if (meta === null) throw new ConfigError(`${o.display} no longer exists`, { hint: 'Recreate it (authctl secrets init) and remove the journal.' })
  const current = meta.currentVersion
  const at = await readSecret(p, o, current)
  const ours = j.toVersion ?? j.fromVersion + 1
  if (current === j.fromVersion && j.toVersion === null) return { kind: 'unwritten' }
  // the write's answer may have been lost: a version v+1 that differs from v only in pg_password is ours
  if (current === ours && (j.toVersion !== null || sameData(at.secret, old, 'pg_password'))) return { kind: 'new', version: current, secret: at.secret }
  if (j.toVersion !== null && current === (j.rollbackVersion ?? j.toVersion + 1) && sameData(at.secret, old)) return { kind: 'rolled-back', version: current }
  throw new VaultError(`${o.display} is at version ${current}, which this rotation did not write (it started from ${j.fromVersion}${j.toVersion === null ? '' : ` and wrote ${j.toVersion}`})`, {
    hint: `Someone changed the secret since. Compare it with the database (authctl secrets show), settle it by hand, then move the journal aside: ${p.journal.path}`,
  })
}

// Finishes the journaled rotation, or starts afresh (via `fresh`) when the interrupted run changed nothing.
export async function resumeDbRotation(p: DbRotationPorts, o: DbRotationOptions, j: DbJournal | null, fresh: (o: DbRotationOptions) => Promise<DbRotationResult>): Promise<DbRotationResult> {
  if (j === null || !isUnfinished(j)) {
    throw new ConfigError(`there is no unfinished rotation to resume${j === null ? '' : ` (the last one ended "${j.step}" at ${j.updatedAt})`}`, { hint: 'Run authctl rotate-db-password without --resume to start one.' })
  }
  if (o.method !== undefined && o.method !== j.method) {
    throw new ConfigError(`--method ${o.method} differs from the interrupted rotation's ${j.method}`, { hint: `Resume with --method ${j.method} (or without --method).` })
  }
  const opts: DbRotationOptions = { ...o, via: o.via ?? j.via, awsProfile: o.awsProfile ?? j.awsProfile, restart: j.restart }
  await p.vault.preflight()
  const { secret: old } = await readSecret(p, opts, j.fromVersion)
  const state = await vaultState(p, opts, j, old)
  if (state.kind === 'unwritten') {
    p.reporter.event('*', `the interrupted run never wrote version ${j.fromVersion + 1}: nothing had changed; starting the rotation again`)
    markStep(j, 'aborted', 'resume: nothing had been written; a new rotation starts', p.now())
    await p.journal.save(j)
    return fresh({ ...opts, method: j.method })
  }
  const spec: ChangerSpec = { method: j.method, instanceId: j.instanceId ?? o.instanceId, awsProfile: opts.awsProfile }
  const result = newResult(opts, p, j.method, j.fromVersion, true)
  result.target = j.target
  result.versions.to = state.kind === 'new' ? state.version : j.toVersion
  if (state.kind === 'rolled-back') return settleRollback(p, j, result, state.version)
  const { endpoint, changer } = await connectDatabase(p, opts, spec, old)
  try {
    j.toVersion = state.version
    const run: RotationRun = { p, o: opts, journal: j, result, old, next: state.secret.password, endpoint, changer }
    for (const step of [1, 2, 3]) recordStep(result, p.reporter, step, 'done', `by the interrupted run of ${j.startedAt} (journal)`)
    const facts = await dbFacts(run)
    const decision = decideOnResume(facts)
    if (decision === 'stuck') {
      throw new DatabaseError(`cannot resume yet: ${describeFacts(facts)}`, { reason: 'unreachable', hint: 'Check that the database (and the --via host) can be reached, then run --resume again; nothing was changed.' })
    }
    const where = describeLogin(endpoint, old.user)
    const plan = {
      continue: j.step === 'propagate' ? [] : [`  5. done: the new password logs in as ${where}`],
      wait: [`  4. wait until RDS has applied the pending change on ${j.target}`, `  5. log in with it as ${where}`],
      redo: changeLines(opts, spec, j.target, where).slice(0, 2),
    }[decision]
    const from = decision === 'redo' ? 'change' : decision === 'wait' ? 'wait' : j.step === 'propagate' ? 'propagate' : 'verify'
    if (decision === 'continue') recordStep(result, p.reporter, 4, 'done', 'the database accepts the new password')
    if (from === 'propagate') {
      result.database.newPasswordLogsIn = true
      recordStep(result, p.reporter, 5, 'done', `the new password logs in as ${where}`)
    }
    const todo = opts.hosts.filter((h) => j.hosts[h] !== 'changed')
    // asked once the hosts still owed a restart are locked (nothing changes before the yes)
    await finishRotation(run, from, (owed) => p.confirm([
      `Resume the rotation of ${opts.display} started ${j.startedAt} by ${j.who} (version ${j.fromVersion} → ${state.version}, stopped at "${j.step}"): ${describeFacts(facts)}.`,
      ...plan,
      opts.restart ? `  6. restart ${todo.join(', ')} ${opts.rollout}, each healthy with a fresh agent login before the next` : '  6. no restart (--no-restart)',
      ...owedLines(owed),
      ...(decision === 'continue' ? [] : [`  7. on a failure in 4 or 5: write version ${j.fromVersion}'s data back as a new version`]),
    ]))
    return result
  } finally {
    await changer.close()
  }
}

// The interrupted run had already written the rollback: the rotation ended rolled back.
async function settleRollback(p: DbRotationPorts, j: DbJournal, result: DbRotationResult, version: number): Promise<DbRotationResult> {
  j.rollbackVersion = version
  markStep(j, 'rolled-back', `resume found version ${version} holding version ${j.fromVersion}'s data`, p.now())
  await p.journal.save(j)
  result.versions.rollback = version
  result.status = 'rolled-back'
  recordStep(result, p.reporter, 7, 'done', `the interrupted run had rolled Vault back: version ${version} holds version ${j.fromVersion}'s data`)
  result.error = { message: 'the interrupted run had already rolled Vault back: the password was not changed', hint: 'Run authctl rotate-db-password again to rotate it.' }
  result.exitCode = EXIT_CODES.database
  return result
}
