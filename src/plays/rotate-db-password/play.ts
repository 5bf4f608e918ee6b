// `authctl rotate-db-password`: the runbook's "Rotate RDS Password" made safe. Steps 1–3 here (read the
// secret and prove its password logs in, generate, write version v+1 with check-and-set on v), then the
// shared steps 4–7 (finish.ts). Nothing changes before the operator agreed; from the Vault
// write on, every step is journaled on the bastion so that --resume can finish a killed run.
import type { PreflightInfo } from '../../db/db-types.js'
import { describeLogin } from '../../db/pg-error.js'
import type { DatabaseSecret } from '../../db/secret-endpoint.js'
import { ConfigError, DatabaseError, VaultError } from '../../errors.js'
import { generateSecret } from '../../secrets/generate.js'
import { finishRotation, journalStep, type RotationRun } from './finish.js'
import { resumeDbRotation } from './resume.js'
import { changeLines, connectDatabase, newResult, readSecret } from './steps.js'
import { owedLines } from '../shared/rotation-hosts.js'
import { recordStep, type ChangerSpec, type DbRotationOptions, type DbRotationPorts, type DbRotationResult } from './types.js'
import { casConflictError, writeRefused } from '../shared/kv-conflict.js'
import { isUnfinished, newJournal } from '../shared/rotation-journal.js'

// Runs a new rotation, or finishes the journaled one with --resume; closes what it opened in every case.
export async function runDbRotation(p: DbRotationPorts, o: DbRotationOptions): Promise<DbRotationResult> {
  const journal = await p.journal.load()
  if (!o.resume && journal !== null && isUnfinished(journal)) {
    throw new ConfigError(`an earlier rotation is unfinished: started ${journal.startedAt} by ${journal.who}, stopped at step "${journal.step}" (Vault version ${journal.fromVersion} → ${journal.toVersion ?? 'not written'})`, {
      hint: `Nothing was changed. Finish it first: authctl rotate-db-password --resume (journal: ${p.journal.path}).`,
    })
  }
  const r = o.resume ? await resumeDbRotation(p, o, journal, (again) => freshRotation(p, again, true)) : await freshRotation(p, o, false)
  await p.audit({
    rotation: 'db-password', status: r.status, resumed: r.resumed, path: r.path, method: r.method, target: r.target, via: r.via, fromVersion: r.versions.from,
    toVersion: r.versions.to, rollbackVersion: r.versions.rollback, restarted: r.restart.hosts.filter((h) => h.status === 'changed').map((h) => h.host),
  })
  return r
}


// The changer must change the login Vault holds, on the database Vault names: RDS says whose password it sets.
function matchTarget(pre: PreflightInfo, secret: DatabaseSecret, o: DbRotationOptions): void {
  if (pre.user !== '' && pre.user !== secret.user) {
    throw new ConfigError(`${pre.target} changes the password of ${pre.user}, but ${o.display} holds pg_user ${secret.user}: rotating would change another login's password`, {
      hint: 'Check rds_instance_id in the inventory and pg_user in Vault; nothing was changed.',
    })
  }
  const at = pre.endpoint
  if (at !== undefined && (at.host.toLowerCase() !== secret.host.toLowerCase() || at.port !== secret.port)) {
    throw new ConfigError(`${pre.target} listens at ${at.host}:${at.port}, but ${o.display} holds pg_host ${secret.host}:${secret.port}: Authentik uses another database`, {
      hint: 'Check rds_instance_id in the inventory, or set pg_host with authctl db set-host; nothing was changed.',
    })
  }
}




async function freshRotation(p: DbRotationPorts, o: DbRotationOptions, resumed: boolean): Promise<DbRotationResult> {
  const spec: ChangerSpec = { method: o.method ?? 'rds', instanceId: o.instanceId, awsProfile: o.awsProfile }
  await p.vault.preflight()
  const { version, secret } = await readSecret(p, o)
  const result = newResult(o, p, spec.method, version, resumed)
  const { endpoint, changer } = await connectDatabase(p, o, spec, secret)
  try {
    const where = describeLogin(endpoint, secret.user)
    const current = await p.checkLogin(endpoint, { user: secret.user, password: secret.password }, p.signal)
    if (!current.ok) {
      throw new DatabaseError(`the password in ${o.display} (version ${version}) does not log in as ${where}: ${current.message}`, {
        reason: 'login-refused', hint: 'Vault and the database already disagree; nothing was changed. If a rotation was interrupted, run authctl rotate-db-password --resume; otherwise find out which password the database has before rotating.',
      })
    }
    const pre = await changer.preflight(p.signal)
    matchTarget(pre, secret, o)
    result.target = pre.target
    recordStep(result, p.reporter, 1, 'done', `version ${version}; its password logs in as ${where}${spec.method === 'rds' ? `; ${pre.target} is ${pre.status}` : ''}`)
    const next = generateSecret(o.length)
    recordStep(result, p.reporter, 2, 'done', `${o.length} characters of [A-Za-z0-9] from a cryptographic generator`)
    const journal = newJournal({
      kind: 'rotate-db-password', who: o.who, command: o.commandLine, path: o.display, method: spec.method, target: pre.target,
      instanceId: spec.method === 'rds' ? spec.instanceId : undefined, via: o.via, awsProfile: o.awsProfile, restart: o.restart, fromVersion: version,
    }, p.now())
    const run: RotationRun = { p, o, journal, result, old: secret, next, endpoint, changer }
    // while every host is locked: the operator's yes, then the Vault write (nothing before it changed anything)
    await finishRotation(run, 'change', async (owed) => {
      await p.confirm([
        `Rotate the database password in ${o.display} (now version ${version}):`,
        `  1. done: the current password logs in as ${where}`,
        `  2. done: a new ${o.length}-character password`,
        `  3. write it as version ${version + 1} (check-and-set on ${version})`,
        ...changeLines(o, spec, pre.target, where),
        ...owedLines(owed),
        `  7. on a failure in 4 or 5: write version ${version}'s data back as a new version`,
        `Journal: ${p.journal.path}`,
      ])
      await journalStep(run, 'vault-write', `writing version ${version + 1} with check-and-set on ${version}`)
      await writeNewVersion(run)
    })
    return result
  } finally {
    await changer.close()
  }
}

// Step 3. A check-and-set conflict or a refused write changed nothing; any other failure may have written.
async function writeNewVersion(run: RotationRun): Promise<void> {
  const { p, o, journal, result } = run
  const from = journal.fromVersion
  try {
    const meta = await p.vault.kvWrite(o.mount, o.key, { ...run.old.data, pg_password: run.next }, { cas: from })
    journal.toVersion = meta.version
    result.versions.to = meta.version
  } catch (error) {
    if (writeRefused(error)) {
      await journalStep(run, 'aborted', `Vault refused the write: ${error.message}`)
      throw casConflictError(error, o.display, from)
    }
    throw new VaultError(`${(error as Error).message}; whether version ${from + 1} was written is unknown`, {
      status: error instanceof VaultError ? error.status : undefined, cause: error,
      hint: `Nothing else was changed. Run authctl rotate-db-password --resume once Vault answers: it reads Vault to find out and goes on (journal: ${p.journal.path}).`,
    })
  }
  recordStep(result, p.reporter, 3, 'done', `wrote version ${journal.toVersion} (check-and-set on ${from})`)
  await journalStep(run, 'db-change', `wrote version ${journal.toVersion}`)
}
