// `authctl setup`: deploy the Vault Agent sidecar stack to every selected host. Preflight and lock
// everywhere first (a failure there changes nothing), mint secret-ids only where needed, write only
// what differs, converge hosts whose stack already runs one batch at a time, and always release.
import { AuthctlError, BugError, EXIT_CODES, InterruptedError, worstExitCode } from '../errors.js'
import { newHostResult, type HostResult } from '../output/host-result.js'
import type { Reporter } from '../output/reporter.js'
import type { Secret } from '../output/secret.js'
import type { HostState } from '../remote/parse-state.js'
import { hostPaths, type HostPaths } from '../remote/paths.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { stackPaths } from '../render/layout.js'
import { mapLimit } from '../steps/concurrency.js'
import type { DesiredFile, DesiredState } from '../steps/desired.js'
import { fileDiff } from '../steps/diff.js'
import { converge, readStateLocked, release, writeFiles } from '../steps/host-steps.js'
import { filesToWrite, planHost, stackRunning, type HostPlan } from '../steps/plan.js'
import { decideSecretId, type SecretIdDecision } from '../steps/secret-id.js'
import { credentialFiles, accessorFile, pendingFile } from '../steps/credentials.js'
import { fetchBefore } from '../steps/fetch-before.js'
import type { SetupDeps, SetupHost, SetupOptions } from './setup-types.js'

export interface SetupResult {
  check: boolean
  hosts: HostResult[]
  exitCode: number
}

interface Session {
  host: SetupHost
  paths: HostPaths
  result: HostResult
  started: number
  remote?: RemoteHost
  locked: boolean
  desired?: DesiredState
  state?: HostState
  decision?: SecretIdDecision
  minted?: { secretId: Secret; accessor: string }
  plan?: HostPlan
  audit: string[]
}

function fail(s: Session, error: unknown, status: 'failed' | 'unreachable' = 'failed'): void {
  const e = error instanceof AuthctlError ? error : new BugError(error instanceof Error ? error.message : String(error), { cause: error })
  s.result.status = status
  s.result.error = { message: e.message, hint: e.hint, exitCode: status === 'unreachable' ? EXIT_CODES.unreachable : e.exitCode }
}

const live = (sessions: Session[]) => sessions.filter((s) => s.remote && !s.result.error)

// Runs the whole setup play and returns per-host results; only Vault and config errors throw.
export async function runSetup(hosts: readonly SetupHost[], deps: SetupDeps, opts: SetupOptions): Promise<SetupResult> {
  // templates first: a broken template or variable fails before Vault or any host is asked
  const sessions: Session[] = []
  for (const host of hosts) {
    sessions.push({ host, paths: hostPaths(host.root), result: newHostResult(host.name), started: Date.now(), locked: false, audit: [], desired: await host.render() })
  }
  await deps.vault.preflight()
  const roleIds = new Map<string, string>()
  for (const role of new Set(hosts.map((h) => h.role))) roleIds.set(role, await deps.vault.readRoleId(role))

  const connections = await deps.connect(hosts.map((h) => h.name))
  for (const s of sessions) {
    const c = connections.get(s.host.name)
    if (c instanceof Error || !c) fail(s, c ?? new BugError('no connection'), 'unreachable')
    else s.remote = c
  }

  try {
    await preflightAndLock(sessions, deps, opts)
    if (sessions.some((s) => s.result.status === 'failed')) return abortBeforeChanges(sessions, deps, opts)
    await mapLimit(live(sessions), opts.forks, (s) => prepareHost(s, deps, opts, roleIds.get(s.host.role) ?? '').catch((error: unknown) => fail(s, error)))
    if (sessions.some((s) => s.result.status === 'failed')) return abortBeforeChanges(sessions, deps, opts)
    if (opts.diff) await mapLimit(live(sessions), opts.forks, (s) => addDiff(s))
    if (opts.check) return finish(sessions, opts)
    await apply(sessions, deps, opts)
    return finish(sessions, opts)
  } finally {
    await releaseAll(sessions, deps, opts)
  }
}

// A host failed before anything changed: change nothing anywhere, and give back minted secret-ids.
async function abortBeforeChanges(sessions: Session[], deps: SetupDeps, opts: SetupOptions): Promise<SetupResult> {
  for (const s of live(sessions)) {
    s.result.status = 'skipped'
    s.result.error = { message: 'not changed: preflight failed on another host', exitCode: 0 }
  }
  for (const s of sessions) if (s.minted) await destroyQuietly(s, deps, s.minted.accessor)
  return finish(sessions, opts)
}

// Decide (and mint, unless --check) the host's secret-id, then plan its files.
async function prepareHost(s: Session, deps: SetupDeps, opts: SetupOptions, roleId: string): Promise<void> {
  const { reporter } = deps
  const root = s.paths.root
  const hasFile = s.state?.paths.get(stackPaths(root).credential('secret-id'))?.kind === 'file'
  s.decision = await decideSecretId(deps.vault, {
    role: s.host.role, hasSecretIdFile: hasFile, recordedAccessor: s.state?.secretIdAccessor,
    forceNew: opts.newSecretId, minRemainingMs: opts.secretIdMinRemainingMs, now: deps.now(),
  })
  if (s.decision.action === 'mint') reporter.event(s.host.name, `${opts.check ? 'would mint' : 'minting'} a new secret-id: ${s.decision.reason}`)
  if (!opts.check && s.decision.action === 'mint') {
    s.minted = await deps.vault.createSecretId(s.host.role, { metadata: { host: s.host.name, created_by: 'authctl' } })
  }
  s.result.secretId = s.decision.action === 'keep'
    ? { action: 'keep', accessor: s.decision.accessor }
    : { action: opts.check ? 'would-mint' : 'mint', accessor: s.minted?.accessor, reason: s.decision.reason }
  planFor(s, roleId, opts.check, reporter)
}

async function preflightAndLock(sessions: Session[], deps: SetupDeps, opts: SetupOptions): Promise<void> {
  await mapLimit(live(sessions), opts.forks, async (s) => {
    const targets = [...(s.desired?.dirs.map((d) => d.path) ?? []), ...(s.desired?.files.map((f) => f.path) ?? []), stackPaths(s.paths.root).credential('role-id'), stackPaths(s.paths.root).credential('secret-id')]
    try {
      s.state = await readStateLocked(s.remote as RemoteHost, {
        paths: s.paths, project: s.host.project, lockDetails: deps.lockDetails, takeLock: !opts.check, targets,
        lockWaitMs: opts.lockWaitMs, signal: deps.signal, onWait: (m) => deps.reporter.event(s.host.name, m),
      })
      s.locked = !opts.check
      deps.reporter.event(s.host.name, opts.check ? 'state read' : 'locked, state read')
    } catch (error) {
      fail(s, error)
      deps.reporter.warn(s.host.name, s.result.error?.message ?? 'preflight failed')
    }
  })
}

function planFor(s: Session, roleId: string, check: boolean, reporter: Reporter): void {
  const desired = s.desired as DesiredState
  const files: DesiredFile[] = [...desired.files, ...credentialFiles(s.paths.root, roleId, s.minted?.secretId, check && s.decision?.action === 'mint')]
  if (s.minted) files.push(accessorFile(s.paths, s.minted.accessor))
  s.plan = planHost({ dirs: desired.dirs, files }, s.state as HostState)
  // a kept secret-id is not rewritten: only its presence was checked
  s.result.files = s.plan.files.map((f) => ({ path: f.file.path, action: f.action }))
  const changed = filesToWrite(s.plan)
  for (const f of changed) reporter.event(s.host.name, `${f.path}: ${s.plan.files.find((p) => p.file === f)?.action ?? 'change'}`)
  if (s.plan.restart) reporter.event(s.host.name, `${check ? 'would ' : ''}${s.plan.restart === 'agent' ? 'restart vault-agent, then server and worker' : 'run docker compose up'} (${s.plan.restartReason ?? ''})`)
  if (changed.length > 0 || s.plan.dirs.length > 0 || s.plan.restart) s.result.status = 'changed'
}

async function addDiff(s: Session): Promise<void> {
  const changed = filesToWrite(s.plan as HostPlan)
  const before = await fetchBefore(s.remote as RemoteHost, changed.filter((f) => !f.secret).map((f) => f.path))
  const secrets = s.minted ? [s.minted.secretId] : []
  const existed = (f: DesiredFile) => s.plan?.files.find((p) => p.file === f)?.action !== 'create'
  s.result.diff = changed.map((f) => fileDiff(f, before.get(f.path), secrets, existed(f))).join('')
}

async function apply(sessions: Session[], deps: SetupDeps, opts: SetupOptions): Promise<void> {
  const todo = live(sessions).filter((s) => s.result.status === 'changed')
  // a stack that already serves traffic is restarted a batch at a time; fresh hosts go in parallel
  const rolling = todo.filter((s) => s.plan?.restart && stackRunning(s.state as HostState))
  const parallel = todo.filter((s) => !rolling.includes(s))
  await mapLimit(parallel, opts.forks, (s) => applyHost(s, deps, opts))
  for (let i = 0; i < rolling.length; i += Math.max(1, opts.serial)) {
    const batch = rolling.slice(i, i + Math.max(1, opts.serial))
    if (deps.signal.aborted) {
      for (const s of rolling.slice(i)) {
        fail(s, new InterruptedError('not changed: interrupted before this host'))
        if (s.minted) await destroyQuietly(s, deps, s.minted.accessor)
      }
      break
    }
    await Promise.all(batch.map((s) => applyHost(s, deps, opts)))
    const broken = batch.find((s) => s.result.status === 'failed')
    if (broken) {
      for (const s of rolling.slice(i + batch.length)) {
        s.result.status = 'skipped'
        s.result.error = { message: `not changed: rollout stopped because ${broken.host.name} failed`, hint: 'Fix that host, then run setup again.', exitCode: EXIT_CODES.hostFailed }
        if (s.minted) await destroyQuietly(s, deps, s.minted.accessor)
      }
      break
    }
  }
}

async function applyHost(s: Session, deps: SetupDeps, opts: SetupOptions): Promise<void> {
  const remote = s.remote as RemoteHost
  const plan = s.plan as HostPlan
  const files = filesToWrite(plan)
  try {
    if (deps.signal.aborted) throw new InterruptedError('not changed: interrupted before this host')
    // the marker goes first: a run cut after any write still owes the restart
    const writes = plan.restart ? [pendingFile(s.paths, plan.restart), ...files] : files
    if (writes.length > 0 || plan.dirs.length > 0) await writeFiles(remote, plan.dirs, writes)
    if (files.length > 0) deps.reporter.event(s.host.name, `wrote ${files.length} file(s)`)
  } catch (error) {
    fail(s, error)
    if (s.minted) await destroyQuietly(s, deps, s.minted.accessor)
    return
  }
  s.audit.push(auditLine(s, deps, opts, files))
  if (!plan.restart) return
  try {
    const steps = await converge(remote, s.paths, s.host.project, plan.restart, opts.waitTimeoutS)
    s.result.restarted = plan.restart === 'agent' ? ['vault-agent', 'server', 'worker'] : ['compose up']
    s.result.healthy = steps.includes('healthy')
    deps.reporter.event(s.host.name, `healthy after ${plan.restart === 'agent' ? 'restarting vault-agent, server, worker' : 'docker compose up'}`)
  } catch (error) {
    s.result.healthy = false
    fail(s, error)
    return
  }
  const previous = s.decision?.action === 'mint' ? s.decision.previousAccessor : undefined
  if (previous && s.minted) {
    await destroyQuietly(s, deps, previous)
    if (s.result.secretId) s.result.secretId.destroyedAccessor = previous
  }
}

async function destroyQuietly(s: Session, deps: SetupDeps, accessor: string): Promise<void> {
  try {
    await deps.vault.destroySecretIdAccessor(s.host.role, accessor)
    deps.reporter.event(s.host.name, `destroyed secret-id accessor ${accessor}`)
  } catch (error) {
    deps.reporter.warn(s.host.name, `could not destroy secret-id accessor ${accessor}: ${(error as Error).message}; destroy it with vault write auth/approle/role/${s.host.role}/secret-id-accessor/destroy`)
  }
}

function auditLine(s: Session, deps: SetupDeps, opts: SetupOptions, files: readonly DesiredFile[]): string {
  return JSON.stringify({
    time: deps.now().toISOString(), who: deps.who, host: s.host.name, command: opts.commandLine,
    files: files.map((f) => f.path), restart: s.plan?.restart ?? null,
    secret_id_accessor: s.minted?.accessor ?? s.result.secretId?.accessor ?? null,
  })
}

async function releaseAll(sessions: Session[], deps: SetupDeps, opts: SetupOptions): Promise<void> {
  await mapLimit(sessions.filter((s) => s.locked && s.remote), opts.forks, async (s) => {
    try {
      await release(s.remote as RemoteHost, s.paths, deps.lockDetails, s.audit)
      s.locked = false
    } catch (error) {
      deps.reporter.warn(s.host.name, (error as Error).message)
    }
  })
  const lines = sessions.flatMap((s) => s.audit)
  if (lines.length > 0) await deps.auditLocal(lines)
}

function finish(sessions: Session[], opts: SetupOptions): SetupResult {
  for (const s of sessions) s.result.durationMs = Date.now() - s.started
  const codes = sessions.map((s) => s.result.error?.exitCode ?? 0)
  return { check: opts.check, hosts: sessions.map((s) => s.result), exitCode: worstExitCode(codes) }
}
