// What the database password rotation works with: its ports (Vault, the database, the restart engine,
// the journal, the operator), its options, and the result it returns (no secrets, --json as is).
import type { DbEndpoint, DbLogin, DbPasswordChanger, DbVia } from '../../db/db-types.js'
import type { LoginCheck } from '../../db/login-check.js'
import type { EngineResult } from '../../engine/run-play.js'
import type { Reporter } from '../../engine/reporter.js'
import type { VaultClient } from '../../vault/client.js'
import type { CentralChange, RestartHostResult } from '../shared/rolling-restart.js'
import type { DbJournal } from '../shared/rotation-journal.js'

// How the password is changed: the method and what it needs beyond the endpoint and login.
export interface ChangerSpec {
  method: 'rds' | 'sql'
  instanceId: string
  awsProfile?: string
}

// The rotation's effects, each behind a port so the play runs against fakes as well as the real thing.
export interface DbRotationPorts {
  vault: Pick<VaultClient, 'preflight' | 'kvRead' | 'kvWrite' | 'kvMetadata'>
  // the route to the database through an inventory host (--via), or undefined for a direct connection
  route(via: string | undefined): Promise<DbVia | undefined>
  changer(spec: ChangerSpec, endpoint: DbEndpoint, login: DbLogin): DbPasswordChanger
  checkLogin(endpoint: DbEndpoint, login: DbLogin, signal?: AbortSignal): Promise<LoginCheck>
  // these hosts locked and read, then the central change (steps 3–5), then their rolling restart with the
  // health gate (the engine's transaction; see runRestart)
  restart(hosts: readonly string[], central: CentralChange): Promise<EngineResult<RestartHostResult>>
  journal: { path: string; load(): Promise<DbJournal | null>; save(journal: DbJournal): Promise<void> }
  // resolves when the operator agreed (terminal) or --yes was given; throws ConfigError otherwise
  confirm(plan: readonly string[]): Promise<void>
  audit(entry: Record<string, unknown>): Promise<void>
  reporter: Reporter
  signal: AbortSignal
  now(): Date
}

// The run's settings, from flags and the inventory.
export interface DbRotationOptions {
  mount: string
  key: string
  display: string
  // --method as given (undefined: rds, or the journal's on --resume)
  method?: 'rds' | 'sql'
  instanceId: string
  via?: string
  awsProfile?: string
  length: number
  restart: boolean
  resume: boolean
  tls: { sslMode: DbEndpoint['sslMode']; ca?: string }
  hosts: readonly string[]
  // how the restart rolls, in words for the plan ("one host at a time")
  rollout: string
  applyTimeoutMs: number
  who: string
  commandLine: string
}

// One of the seven steps as it went.
export interface StepRecord {
  step: number
  name: string
  status: 'done' | 'failed' | 'skipped' | 'not needed'
  detail: string
}

// The --json result of rotate-db-password.
export interface DbRotationResult {
  rotation: 'db-password'
  // aborted: stopped before any change (more hosts than --max-fail could not be locked and read)
  status: 'rotated' | 'rolled-back' | 'unfinished' | 'aborted'
  resumed: boolean
  path: string
  method: 'rds' | 'sql'
  target: string
  via: string | null
  versions: { from: number; to: number | null; rollback: number | null }
  database: { newPasswordLogsIn: boolean | null; oldPasswordRefused: boolean | null }
  steps: StepRecord[]
  restart: { mode: 'rolling' | 'skipped'; hosts: RestartHostResult[] }
  // hosts that still owe the restart (unreachable, locked or failed): --resume or authctl restart -l finishes them
  owed: string[]
  journal: string
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

export const STEP_NAMES = ['', 'read and check', 'generate', 'write to Vault', 'change in the database', 'verify the new password', 'propagate', 'roll back Vault'] as const

// Records (or replaces, on --resume) a step's outcome and tells the operator.
export function recordStep(result: DbRotationResult, reporter: Reporter, step: number, status: StepRecord['status'], detail: string): void {
  const record: StepRecord = { step, name: STEP_NAMES[step] ?? '', status, detail }
  const at = result.steps.findIndex((s) => s.step === step)
  if (at >= 0) result.steps[at] = record
  else result.steps.push(record)
  result.steps.sort((a, b) => a.step - b.step)
  const line = `step ${step} (${record.name}): ${status === 'done' ? '' : `${status}: `}${detail}`
  if (status === 'failed') reporter.warn('*', line)
  else reporter.event('*', line)
}
