// The bastion's journal of a rotation: which step it reached, the KV versions it wrote and each host's
// restart result, never a secret. Written before and after every step (atomically, fsynced, owner-only),
// so `--resume` can finish a rotation whose run was killed and `authctl status` can show an unfinished one.
// rotation-mirror.ts keeps the same facts in Vault, for the other bastions.
import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../../errors.js'
import type { HostStatus } from '../../engine/host-result.js'
import { stateDir } from '../../output/audit-local.js'

// The rotations that keep a journal (one file each; a new one replaces a finished one).
export type RotationKind = 'rotate-db-password' | 'rotate-secret-key'

// The step in progress; the last three mean the rotation is over.
export type JournalStep = 'vault-write' | 'db-change' | 'db-verify' | 'propagate' | 'rollback' | 'done' | 'rolled-back' | 'aborted'

// Steps after which nothing is left to do.
export const FINISHED_STEPS: readonly JournalStep[] = ['done', 'rolled-back', 'aborted']

// One line of the journal's history, for people reading the file.
export interface JournalEvent {
  at: string
  step: JournalStep
  note: string
}

// What every rotation's journal holds; every field is safe to print.
interface JournalCore {
  format: 1
  id: string
  startedAt: string
  updatedAt: string
  who: string
  command: string
  // the KV secret, as `vault kv` names it (secret/cwiq/shared/authentik/database)
  path: string
  restart: boolean
  fromVersion: number
  toVersion: number | null
  rollbackVersion: number | null
  step: JournalStep
  // each host's restart outcome once known; a host not 'changed' still owes the restart
  hosts: Record<string, HostStatus>
  events: JournalEvent[]
}

// The database password rotation's journal: how the database is changed.
export interface DbJournal extends JournalCore {
  kind: 'rotate-db-password'
  method: 'rds' | 'sql'
  target: string
  instanceId?: string
  via?: string
  awsProfile?: string
}

// The secret key rotation's journal (Vault, then every host at once).
export interface KeyJournal extends JournalCore {
  kind: 'rotate-secret-key'
}

export type RotationJournal = DbJournal | KeyJournal

// The journal type of a kind.
export type JournalOf<K extends RotationKind> = Extract<RotationJournal, { kind: K }>

// What `authctl status` shows of an unfinished rotation.
export interface UnfinishedRotation {
  kind: RotationKind
  journal: string
  startedAt: string
  who: string
  step: JournalStep
  fromVersion: number
  toVersion: number | null
  // hosts known to owe the restart (unreachable, locked or failed when the journal was last written)
  owed: string[]
  // where the facts come from: this bastion's journal file, or the secret's metadata in Vault
  source: 'journal' | 'vault'
  resume: string
}

export const KINDS: readonly RotationKind[] = ['rotate-db-password', 'rotate-secret-key']

// Where a rotation's journal lives: $XDG_STATE_HOME/authctl/rotations/<kind>.json.
export function journalPath(kind: RotationKind, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'rotations', `${kind}.json`)
}

// What a rotation says of itself when it starts (per kind: distributive over the union).
export type NewFields<J> = J extends RotationJournal ? Omit<J, 'format' | 'id' | 'startedAt' | 'updatedAt' | 'toVersion' | 'rollbackVersion' | 'step' | 'hosts' | 'events'> : never

// A new journal for a rotation about to write Vault.
export function newJournal<F extends NewFields<RotationJournal>>(fields: F, now: Date): JournalOf<F['kind']> {
  const at = now.toISOString()
  return { format: 1, id: randomUUID(), startedAt: at, updatedAt: at, toVersion: null, rollbackVersion: null, step: 'vault-write', hosts: {}, events: [], ...fields } as unknown as JournalOf<F['kind']>
}

// Whether the rotation still has work to do.
export function isUnfinished(journal: RotationJournal): boolean {
  return !FINISHED_STEPS.includes(journal.step)
}

// The hosts that still owe the restart, of those the journal knows (all of them before the restart started).
export function owedHosts(journal: RotationJournal): string[] {
  return Object.entries(journal.hosts).filter(([, status]) => status !== 'changed').map(([host]) => host)
}

// A parsed journal of the expected kind, or an Error saying what is wrong (the file or the Vault metadata).
export function checkJournal<K extends RotationKind>(kind: K, value: unknown, where: string): JournalOf<K> {
  const j = value as Partial<DbJournal> | Partial<KeyJournal> | null
  const ok = j !== null && typeof j === 'object' && j.format === 1 && j.kind === kind && typeof j.step === 'string'
    && typeof j.fromVersion === 'number' && typeof j.path === 'string' && (j.kind !== 'rotate-db-password' || j.method === 'rds' || j.method === 'sql')
  if (!ok) throw new Error(`${where} is not a ${kind} journal authctl wrote`)
  return { hosts: {}, events: [], ...j } as JournalOf<K>
}

function parse<K extends RotationKind>(kind: K, text: string, path: string): JournalOf<K> {
  return checkJournal(kind, JSON.parse(text), path)
}

// The journal of a kind, or null when there is none; an unreadable one is a ConfigError naming the file.
export async function loadJournal<K extends RotationKind>(kind: K, env: NodeJS.ProcessEnv = process.env): Promise<JournalOf<K> | null> {
  const path = journalPath(kind, env)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new ConfigError(`cannot read the rotation journal ${path}: ${(error as Error).message}`, { hint: 'Check the file\'s owner and mode (it is 0600, owned by the operator who rotated).' })
  }
  try {
    return parse(kind, text, path)
  } catch (error) {
    throw new ConfigError(`the rotation journal ${path} is damaged: ${(error as Error).message}`, {
      hint: 'Read it, compare with `authctl secrets show` and the database, then move it aside to start a new rotation.',
    })
  }
}

// Writes the journal durably, owner-only: temp file, fsync, rename, fsync of the folder (a kill or a power
// loss leaves the previous journal or this one, never half a file nor a rename the disk forgot).
export async function saveJournal(journal: RotationJournal, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = journalPath(journal.kind, env)
  const dir = join(path, '..')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  const file = await open(temp, 'w', 0o600)
  try {
    await file.writeFile(JSON.stringify(journal, null, 2) + '\n')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
  const folder = await open(dir, 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
  return path
}

// Moves the journal to a step, with a note for the history (the caller writes it).
export function markStep(journal: RotationJournal, step: JournalStep, note: string, now: Date): void {
  journal.step = step
  journal.updatedAt = now.toISOString()
  journal.events.push({ at: journal.updatedAt, step, note })
}

// Every rotation whose journal on this bastion says it is not finished. The commands ask unfinishedAnywhere
// (rotation-store.ts), which also reads the copy in Vault; the tests read this bastion's journals with this.
export async function unfinishedRotations(env: NodeJS.ProcessEnv = process.env): Promise<UnfinishedRotation[]> {
  const dir = join(stateDir(env), 'rotations')
  const names = await readdir(dir).catch(() => [] as string[])
  const out: UnfinishedRotation[] = []
  for (const kind of KINDS) {
    if (!names.includes(`${kind}.json`)) continue
    const j = await loadJournal(kind, env)
    if (j === null || !isUnfinished(j)) continue
    out.push(describeUnfinished(j, journalPath(kind, env), 'journal'))
  }
  return out
}

// What status and the other commands show of an unfinished rotation.
export function describeUnfinished(j: RotationJournal, journal: string, source: UnfinishedRotation['source']): UnfinishedRotation {
  return { kind: j.kind, journal, startedAt: j.startedAt, who: j.who, step: j.step, fromVersion: j.fromVersion, toVersion: j.toVersion, owed: owedHosts(j), source, resume: `authctl ${j.kind} --resume` }
}
