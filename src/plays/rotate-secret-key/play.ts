// `authctl rotate-secret-key`: the runbook's "Rotate AUTHENTIK_SECRET_KEY" as one transaction on the engine.
// Every host is locked and read first (more than --max-fail failing stops it before any change); then a new
// 64-character key is patched into Vault with check-and-set on the version read, and every locked host
// restarts at once: HA instances must share one key, and sessions signed with the old one stop working
// (every user is logged out). Each step is journaled (bastion and Vault), so --resume finishes a killed run.
import { ConfigError, EXIT_CODES, VaultError } from '../../errors.js'
import type { Reporter } from '../../output/reporter.js'
import { generateSecret } from '../../secrets/generate.js'
import type { VaultClient } from '../../vault/client.js'
import { lockFailure, owedLines, owedWithReasons } from '../shared/rotation-hosts.js'
import { casConflictError, writeRefused } from '../shared/kv-conflict.js'
import type { CentralChange, RestartHostResult } from '../shared/rolling-restart.js'
import { isUnfinished, markStep, newJournal, type KeyJournal } from '../shared/rotation-journal.js'
import type { JournalStore } from '../shared/rotation-store.js'
import { resumeSecretKey } from './resume.js'
import type { EngineResult } from '../../engine/run-play.js'

// The runbook's key length (`head -c 64`); Authentik wants at least 50 characters.
export const SECRET_KEY_LENGTH = 64

// What every user loses, said before and after.
export const LOGOUT_WARNING = 'every user is logged out: sessions signed with the previous key are no longer valid'

// The play's effects.
export interface SecretKeyPorts {
  vault: Pick<VaultClient, 'preflight' | 'kvRead' | 'kvPatch' | 'kvMetadata'>
  // the hosts locked and read, the central change, then every locked host restarted at once
  restart(hosts: readonly string[], central: CentralChange): Promise<EngineResult<RestartHostResult>>
  journal: JournalStore<KeyJournal>
  confirm(plan: readonly string[]): Promise<void>
  audit(entry: Record<string, unknown>): Promise<void>
  reporter: Reporter
  now(): Date
}

// The config secret, the hosts, and how the run was started.
export interface SecretKeyOptions {
  mount: string
  key: string
  display: string
  hosts: readonly string[]
  resume: boolean
  who: string
  commandLine: string
}

// The --json result (never the key).
export interface SecretKeyResult {
  rotation: 'secret-key'
  // aborted: stopped before any change (more hosts than --max-fail could not be locked and read)
  status: 'rotated' | 'unfinished' | 'aborted'
  resumed: boolean
  path: string
  versions: { from: number; to: number | null }
  restart: { mode: 'all-at-once'; hosts: RestartHostResult[] }
  // hosts that still run with the previous key: --resume restarts them (at once)
  owed: string[]
  journal: string
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

// The empty result a run fills in.
export function newKeyResult(o: SecretKeyOptions, p: SecretKeyPorts, from: number, resumed: boolean): SecretKeyResult {
  return { rotation: 'secret-key', status: 'unfinished', resumed, path: o.display, versions: { from, to: null }, restart: { mode: 'all-at-once', hosts: [] }, owed: [], journal: p.journal.path, warnings: [LOGOUT_WARNING], exitCode: 0 }
}

// A new rotation, or the journaled one finished with --resume; audited either way.
export async function rotateSecretKey(p: SecretKeyPorts, o: SecretKeyOptions): Promise<SecretKeyResult> {
  const journal = await p.journal.load()
  if (!o.resume && journal !== null && isUnfinished(journal)) {
    throw new ConfigError(`an earlier secret key rotation is unfinished: started ${journal.startedAt} by ${journal.who}, stopped at step "${journal.step}" (Vault version ${journal.fromVersion} → ${journal.toVersion ?? 'not written'})`, {
      hint: `Nothing was changed. Finish it first: authctl rotate-secret-key --resume (journal: ${p.journal.path}).`,
    })
  }
  const r = o.resume ? await resumeSecretKey(p, o, journal, () => freshRotation(p, o, true)) : await freshRotation(p, o, false)
  await p.audit({ rotation: 'secret-key', status: r.status, resumed: r.resumed, path: o.display, fromVersion: r.versions.from, toVersion: r.versions.to, restarted: r.restart.hosts.filter((h) => h.status === 'changed').map((h) => h.host), owed: r.owed })
  return r
}

async function freshRotation(p: SecretKeyPorts, o: SecretKeyOptions, resumed: boolean): Promise<SecretKeyResult> {
  await p.vault.preflight()
  const entry = await p.vault.kvRead(o.mount, o.key)
  if (entry?.data == null) throw new ConfigError(`${o.display} ${entry ? 'is deleted or destroyed' : 'does not exist'}`, { hint: 'Create it first: authctl secrets init.' })
  const from = entry.meta.version
  const next = generateSecret(SECRET_KEY_LENGTH)
  const result = newKeyResult(o, p, from, resumed)
  const j = newJournal({ kind: 'rotate-secret-key', who: o.who, command: o.commandLine, path: o.display, restart: true, fromVersion: from }, p.now())
  await transaction(p, o, j, result, o.hosts, async (owed) => {
    await p.confirm([
      `Rotate AUTHENTIK_SECRET_KEY in ${o.display} (now version ${from}):`,
      `  1. generate a new ${SECRET_KEY_LENGTH}-character key`,
      `  2. patch secret_key as version ${from + 1} (check-and-set on ${from})`,
      `  3. restart ${o.hosts.filter((h) => !owed.some((x) => x.host === h)).join(', ')} all at once (HA instances must share the key)`,
      ...owedLines(owed),
      `Warning: ${LOGOUT_WARNING}. Schedule a maintenance window.`,
      `Journal: ${p.journal.path}`,
    ])
    await save(p, j, 'vault-write', `patching version ${from + 1} with check-and-set on ${from}`)
    try {
      j.toVersion = (await p.vault.kvPatch(o.mount, o.key, { secret_key: next }, from)).version
    } catch (error) {
      if (writeRefused(error)) {
        await save(p, j, 'aborted', `Vault refused the write: ${error.message}`)
        throw casConflictError(error, o.display, from)
      }
      throw new VaultError(`${(error as Error).message}; whether version ${from + 1} was written is unknown`, {
        status: error instanceof VaultError ? error.status : undefined, cause: error,
        hint: `No host was restarted. Run authctl rotate-secret-key --resume once Vault answers: it reads Vault to find out and goes on (journal: ${p.journal.path}).`,
      })
    }
    result.versions.to = j.toVersion
    await save(p, j, 'propagate', `wrote version ${j.toVersion}`)
    p.reporter.event('*', `wrote version ${j.toVersion} of ${o.display}; restarting the locked hosts at once`)
  })
  return result
}

// Journals a step (bastion and Vault).
export async function save(p: SecretKeyPorts, j: KeyJournal, step: KeyJournal['step'], note: string): Promise<void> {
  markStep(j, step, note, p.now())
  await p.journal.save(j)
}

// Locks and reads `todo`, runs `central` while they are locked, restarts them at once, and settles the result.
export async function transaction(p: SecretKeyPorts, o: SecretKeyOptions, j: KeyJournal, result: SecretKeyResult, todo: readonly string[], central: (owed: readonly RestartHostResult[]) => Promise<void>): Promise<void> {
  let reached = false
  const restarted = await p.restart(todo, async (_ready, owed) => {
    reached = true
    for (const h of owed) j.hosts[h.host] = h.status
    await central(owed)
    return undefined
  })
  result.restart.hosts = restarted.hosts
  if (!reached) return notStarted(result, restarted, j)
  for (const h of restarted.hosts) j.hosts[h.host] = h.status
  result.owed = o.hosts.filter((h) => j.hosts[h] !== 'changed')
  if (result.owed.length === 0 && restarted.exitCode === 0) {
    result.status = 'rotated'
    await save(p, j, 'done', 'every host restarted')
    return
  }
  await save(p, j, 'propagate', `${result.owed.join(', ')} still to restart`)
  result.error = {
    message: `Vault holds the new key (version ${j.toVersion}), but ${owedWithReasons(result.owed, restarted.hosts)} ${result.owed.length === 1 ? 'was' : 'were'} not restarted: they may still run with the previous key, so the instances disagree and sessions break between them`,
    hint: `Fix those hosts (see the recap), then run authctl rotate-secret-key --resume: it restarts only ${result.owed.join(', ')}, at once (or: authctl restart -l ${result.owed.join(',')} --all-at-once; a rolling restart would keep two keys live).`,
  }
  result.exitCode = restarted.exitCode || EXIT_CODES.hostFailed
}

// More hosts than --max-fail could not be locked and read: nothing of this run changed.
function notStarted(result: SecretKeyResult, restarted: EngineResult<RestartHostResult>, j: KeyJournal): void {
  const { head, names, count } = lockFailure(restarted)
  if (result.resumed) {
    result.error = {
      message: `${head}. Nothing more was changed: the rotation is still unfinished (journal step "${j.step}")`,
      hint: `Bring ${names} back (or, when locked, wait for the lock: --lock-wait 5m), then run authctl rotate-secret-key --resume; to go on without them: authctl rotate-secret-key --resume --max-fail ${count}.`,
    }
  } else {
    result.status = 'aborted'
    result.error = {
      message: `${head}. Nothing was changed: Vault keeps the current key`,
      hint: `Bring ${names} back (or, when locked, wait for the lock: --lock-wait 5m) and run it again; to rotate without them: authctl rotate-secret-key --max-fail ${count} (they keep the previous key until authctl rotate-secret-key --resume restarts them).`,
    }
  }
  result.exitCode = restarted.exitCode || EXIT_CODES.hostFailed
}
