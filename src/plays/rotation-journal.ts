// The bastion's journal of a password rotation: which step it reached, the KV versions it wrote and each
// host's restart result, never a secret. Written before and after every step (atomically, owner-only), so
// `--resume` can finish a rotation whose run was killed and `authctl status` can show an unfinished one.
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import type { HostStatus } from '../output/host-result.js'
import { stateDir } from '../output/audit-local.js'

// The rotations that keep a journal (one file each; a new one replaces a finished one).
export type RotationKind = 'rotate-db-password'

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

// The whole journal; every field is safe to print.
export interface RotationJournal {
  format: 1
  kind: RotationKind
  id: string
  startedAt: string
  updatedAt: string
  who: string
  command: string
  // the KV secret, as `vault kv` names it (secret/cwiq/shared/authentik/database)
  path: string
  method: 'rds' | 'sql'
  target: string
  instanceId?: string
  via?: string
  awsProfile?: string
  restart: boolean
  fromVersion: number
  toVersion: number | null
  rollbackVersion: number | null
  step: JournalStep
  hosts: Record<string, HostStatus>
  events: JournalEvent[]
}

// What `authctl status` shows of an unfinished rotation.
export interface UnfinishedRotation {
  kind: RotationKind
  journal: string
  startedAt: string
  who: string
  step: JournalStep
  fromVersion: number
  toVersion: number | null
  resume: string
}

const KINDS: readonly RotationKind[] = ['rotate-db-password']

// Where a rotation's journal lives: $XDG_STATE_HOME/authctl/rotations/<kind>.json.
export function journalPath(kind: RotationKind, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'rotations', `${kind}.json`)
}

// A new journal for a rotation about to write Vault.
export function newJournal(fields: Omit<RotationJournal, 'format' | 'id' | 'startedAt' | 'updatedAt' | 'toVersion' | 'rollbackVersion' | 'step' | 'hosts' | 'events'>, now: Date): RotationJournal {
  const at = now.toISOString()
  return { format: 1, id: randomUUID(), startedAt: at, updatedAt: at, toVersion: null, rollbackVersion: null, step: 'vault-write', hosts: {}, events: [], ...fields }
}

// Whether the rotation still has work to do.
export function isUnfinished(journal: RotationJournal): boolean {
  return !FINISHED_STEPS.includes(journal.step)
}

function parse(text: string, path: string): RotationJournal {
  const j = JSON.parse(text) as Partial<RotationJournal> | null
  const ok = j !== null && typeof j === 'object' && j.format === 1 && KINDS.includes(j.kind as RotationKind) && typeof j.step === 'string'
    && typeof j.fromVersion === 'number' && typeof j.path === 'string' && (j.method === 'rds' || j.method === 'sql')
  if (!ok) throw new Error(`${path} is not a rotation journal authctl wrote`)
  return { hosts: {}, events: [], ...j } as RotationJournal
}

// The journal of a kind, or null when there is none; an unreadable one is a ConfigError naming the file.
export async function loadJournal(kind: RotationKind, env: NodeJS.ProcessEnv = process.env): Promise<RotationJournal | null> {
  const path = journalPath(kind, env)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new ConfigError(`cannot read the rotation journal ${path}: ${(error as Error).message}`, { hint: 'Check the file\'s owner and mode (it is 0600, owned by the operator who rotated).' })
  }
  try {
    return parse(text, path)
  } catch (error) {
    throw new ConfigError(`the rotation journal ${path} is damaged: ${(error as Error).message}`, {
      hint: 'Read it, compare with `authctl secrets show` and the database, then move it aside to start a new rotation.',
    })
  }
}

// Writes the journal (temp file, then rename: a kill never leaves half a file), owner-only.
export async function saveJournal(journal: RotationJournal, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = journalPath(journal.kind, env)
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, JSON.stringify(journal, null, 2) + '\n', { mode: 0o600 })
  await rename(temp, path)
  return path
}

// Moves the journal to a step, with a note for the history (the caller writes it).
export function markStep(journal: RotationJournal, step: JournalStep, note: string, now: Date): void {
  journal.step = step
  journal.updatedAt = now.toISOString()
  journal.events.push({ at: journal.updatedAt, step, note })
}

// Every rotation whose journal says it is not finished (for `authctl status` and the rotations' own refusal).
export async function unfinishedRotations(env: NodeJS.ProcessEnv = process.env): Promise<UnfinishedRotation[]> {
  const dir = join(stateDir(env), 'rotations')
  const names = await readdir(dir).catch(() => [] as string[])
  const out: UnfinishedRotation[] = []
  for (const kind of KINDS) {
    if (!names.includes(`${kind}.json`)) continue
    const j = await loadJournal(kind, env)
    if (j === null || !isUnfinished(j)) continue
    out.push({ kind, journal: journalPath(kind, env), startedAt: j.startedAt, who: j.who, step: j.step, fromVersion: j.fromVersion, toVersion: j.toVersion, resume: `authctl ${kind} --resume` })
  }
  return out
}
