// What a fresh rotate-secret-key run and --resume share: the ports, options and result, the journal step,
// and the transaction (lock and read every host, the Vault write while they are locked, restart at once).
import { EXIT_CODES } from '../../errors.js'
import type { Reporter } from '../../engine/reporter.js'
import type { VaultClient } from '../../vault/client.js'
import { markNotStarted, owedWithReasons } from '../shared/rotation-hosts.js'
import type { CentralChange, RestartHostResult } from '../shared/rolling-restart.js'
import { markStep, type KeyJournal } from '../shared/rotation-journal.js'
import type { JournalStore } from '../shared/rotation-store.js'
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
  if (!reached) return notStarted(result, restarted, j, o)
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
function notStarted(result: SecretKeyResult, restarted: EngineResult<RestartHostResult>, j: KeyJournal, o: SecretKeyOptions): void {
  markNotStarted(result, restarted, j, o.hosts, {
    command: 'rotate-secret-key', unchanged: 'Vault keeps the current key',
    leftOut: 'they keep the previous key until authctl rotate-secret-key --resume restarts them, at once',
  })
}
