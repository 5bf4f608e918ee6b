// Compares what a host should have with what it has (checksum, mode, owner) and decides which
// files to write and which restart that owes. Pure: the state came from one remote round trip.
import { createHash } from 'node:crypto'
import type { PathState, HostState } from '../remote/parse-state.js'
import type { RestartKind } from '../remote/converge-script.js'
import type { DesiredDir, DesiredFile, DesiredState } from '../render/desired.js'
import { STACK_SERVICES } from '../stack/services.js'

export type FileAction = 'create' | 'update' | 'fix-permissions' | 'unchanged'

export interface FilePlan {
  file: DesiredFile
  action: FileAction
}

export interface HostPlan {
  dirs: DesiredDir[]
  files: FilePlan[]
  restart?: RestartKind
  // why the restart is owed: a changed file, or a restart left pending by an earlier failed run
  restartReason?: string
}

const sha256 = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex')

function fileAction(file: DesiredFile, have: PathState | undefined): FileAction {
  if (!have || have.kind !== 'file') return 'create'
  if (have.sha256 !== sha256(file.content)) return 'update'
  if (have.mode !== file.mode || have.uid !== file.uid || have.gid !== file.gid) return 'fix-permissions'
  return 'unchanged'
}

function dirOk(dir: DesiredDir, have: PathState | undefined): boolean {
  return have?.kind === 'dir' && have.mode === dir.mode && have.uid === dir.uid && have.gid === dir.gid
}

// Whether the stack already runs on the host (so a restart interrupts service and must be rolled).
export function stackRunning(state: HostState): boolean {
  return state.services.some((s) => s.state === 'running')
}

// The plan for one host.
export function planHost(desired: DesiredState, state: HostState): HostPlan {
  const files = desired.files.map((file) => ({ file, action: fileAction(file, state.paths.get(file.path)) }))
  const dirs = desired.dirs.filter((d) => !dirOk(d, state.paths.get(d.path)))
  const changed = files.filter((f) => f.action === 'create' || f.action === 'update')
  const plan: HostPlan = { dirs, files }
  const agentChange = changed.find((f) => f.file.restarts === 'agent')
  const composeChange = changed.find((f) => f.file.restarts === 'compose-up')
  if (state.pendingRestart === 'agent' || state.pendingRestart === 'up') {
    plan.restart = state.pendingRestart
    plan.restartReason = 'owed by an earlier run that did not finish'
  }
  if (composeChange && plan.restart !== 'agent') {
    plan.restart = 'up'
    plan.restartReason = `${composeChange.file.path} changed`
  }
  if (agentChange) {
    // a stack that is not running yet starts with the new files anyway: `up` is enough
    const running = stackRunning(state)
    plan.restart = running ? 'agent' : 'up'
    plan.restartReason = running ? `${agentChange.file.path} changed` : 'the stack is not running yet'
  }
  if (!plan.restart && desired.files.length > 0 && !allHealthy(state)) {
    plan.restart = 'up'
    plan.restartReason = 'services are not all running and healthy'
  }
  return plan
}

function allHealthy(state: HostState): boolean {
  return STACK_SERVICES.every((name) => state.services.some((s) => s.service === name && s.state === 'running' && (s.health === '' || s.health === 'healthy')))
}

// Files that must be written (content or owner/mode differ).
export function filesToWrite(plan: HostPlan): DesiredFile[] {
  return plan.files.filter((f) => f.action !== 'unchanged').map((f) => f.file)
}

// Whether the plan changes anything on the host.
export function planChanges(plan: HostPlan): boolean {
  return plan.dirs.length > 0 || filesToWrite(plan).length > 0 || plan.restart !== undefined
}
