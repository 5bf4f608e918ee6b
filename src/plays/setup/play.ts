// `authctl setup`: deploy the Vault Agent sidecar stack to every selected host. Templates and Vault
// are checked before any host is contacted; the engine then locks and reads every host, this play
// mints secret-ids only where needed and plans the files, and applies only what differs.
import { runPlay, type EngineResult } from '../../engine/run-play.js'
import { rolloutOf } from '../../engine/rollout.js'
import { warnHost } from '../../engine/outcome.js'
import type { Play, PreparedHost, ReadHost } from '../../engine/play.js'
import { timed, type Timings } from '../../util/timings.js'
import { newHostResult, type HostResult } from '../../engine/host-result.js'
import type { Secret } from '../../util/secret.js'
import { groupsFor } from '../../remote/converge-script.js'
import { hostPaths } from '../../stack/host-paths.js'
import type { HostState } from '../../remote/parse-state.js'
import { stackPaths } from '../../stack/layout.js'
import { STACK_SERVICES } from '../../stack/services.js'
import { credentialFiles, pendingFile, recordFile, secretIdContent, swapRecords } from '../../steps/credentials.js'
import type { DesiredFile, DesiredState } from '../../render/desired.js'
import { fetchBefore } from './fetch-before.js'
import { ConvergeError, expectedState, readState, writeFiles, writeThenConverge } from '../../steps/host-steps.js'
import type { WriteLock } from '../../remote/write-script.js'
import { filesToWrite, planHost, stackRunning, type HostPlan } from '../../steps/plan.js'
import { decideSecretId, type SecretIdDecision } from '../../steps/secret-id.js'
import { contentSha, type RecordedSecretId } from '../../steps/secret-id-record.js'
import { settleOwed } from '../../steps/secret-id-settle.js'
import { swapOutcome, unknownSwapWarning } from '../../steps/secret-id-swap.js'
import type { SetupDeps, SetupHost, SetupOptions } from '../shared/setup-types.js'

export interface SetupResult {
  check: boolean
  hosts: HostResult[]
  exitCode: number
  interrupted: boolean
  // ms: render, vault (preflight and role-ids) and connect (the SSH handshakes, overlapping vault), then
  // the engine's read, prepare (mints included), apply, release, and total (the whole play)
  timings: Timings
}

// What prepare decided for one host.
interface Prepared {
  desired: DesiredState
  decision: SecretIdDecision
  minted: { secretId: Secret; accessor: string } | null
  plan: HostPlan
  // the record written before the new secret-id file (only when one was minted)
  recordBefore: DesiredFile | null
  // the secret-id the host runs on once applied, and the replaced ones owed a destroy once it is healthy
  current: RecordedSecretId | null
  owed: string[]
}

type Host = PreparedHost<SetupHost, HostState, Prepared, HostResult>

// Runs the whole setup play and returns per-host results; only Vault and config errors throw.
export async function runSetup(hosts: readonly SetupHost[], deps: SetupDeps, opts: SetupOptions): Promise<SetupResult> {
  const started = performance.now()
  const timings: Timings = {}
  // templates first: a broken template or variable fails before Vault or any host is asked
  const desired = new Map<string, DesiredState>()
  await timed(timings, 'render', async () => {
    for (const host of hosts) desired.set(host.name, await host.render())
  })
  // the SSH handshakes overlap the Vault calls; no command runs on a host before Vault has answered (a
  // sealed Vault still changes nothing), and the engine then finds the connections open
  const connecting = timed(timings, 'connect', () => deps.connect(hosts.map((h) => h.name))).then(() => undefined, () => undefined)
  const roleIds = new Map<string, string>()
  try {
    await timed(timings, 'vault', async () => {
      await deps.vault.preflight()
      for (const role of new Set(hosts.map((h) => h.role))) roleIds.set(role, await deps.vault.readRoleId(role))
    })
  } finally {
    await connecting
  }
  const result: EngineResult<HostResult> = await runPlay(setupPlay(desired, roleIds, deps, opts), hosts, deps, {
    ...rolloutOf(opts), lock: opts.check ? 'none' : 'apply',
    dryRun: opts.check, unreachableCounts: false, commandLine: opts.commandLine,
  })
  // the engine's connect finds the handshakes done: the one measured above is the real one, and the
  // total covers render and Vault too
  return { check: opts.check, ...result, timings: { ...result.timings, ...timings, total: Math.round(performance.now() - started) } }
}

function setupPlay(desired: Map<string, DesiredState>, roleIds: Map<string, string>, deps: SetupDeps, opts: SetupOptions): Play<SetupHost, HostState, Prepared, HostResult> {
  // the files a plan depends on (re-checked under the lock); directories are created idempotently
  const fileTargets = (h: SetupHost, d: DesiredState) => [
    ...d.files.map((f) => f.path), stackPaths(h.root).credential('role-id'), stackPaths(h.root).credential('secret-id'), hostPaths(h.root).secretIdAccessor,
  ]
  const targets = (h: SetupHost, d: DesiredState) => [...d.dirs.map((x) => x.path), ...fileTargets(h, d)]
  return {
    newResult: (h) => newHostResult(h.name),
    read: (h, lock) => readState(h.remote, { paths: h.paths, project: h.host.project, lock, targets: targets(h.host, desired.get(h.host.name) as DesiredState) }),
    prepare: (h) => prepareHost(h, desired.get(h.host.name) as DesiredState, roleIds.get(h.host.role) ?? '', deps, opts),
    discard: async (h) => {
      if (h.prepared.minted) await destroyAccessor(h, deps, h.prepared.minted.accessor)
    },
    changes: (h) => h.result.status === 'changed',
    // a stack that already serves traffic is restarted a batch at a time; fresh hosts go in parallel
    rolling: (h) => h.prepared.plan.restart !== undefined && stackRunning(h.state),
    apply: (h, ctx) => {
      // the first write takes the lock and re-checks, under it, every path this plan was made from
      const lock = ctx.lock && { dir: h.paths.lockDir, details: ctx.lock.details, expect: expectedState(h.state, fileTargets(h.host, desired.get(h.host.name) as DesiredState)) }
      return applyHost(h, deps, opts, ctx.audit, lock)
    },
  }
}

// Decide (and mint, unless --check) the host's secret-id, then plan its files (and diff them).
async function prepareHost(h: ReadHost<SetupHost, HostState, HostResult>, desired: DesiredState, roleId: string, deps: SetupDeps, opts: SetupOptions): Promise<Prepared> {
  const name = h.host.name
  const file = h.state.paths.get(stackPaths(h.host.root).credential('secret-id'))
  const fileSha = file?.kind === 'file' ? file.sha256 : undefined
  const decision = await timed(h.result.timings, 'vault', () => decideSecretId(deps.vault, {
    host: name, role: h.host.role, fileSha, record: h.state.secretIdRecord,
    forceNew: opts.newSecretId, minRemainingMs: opts.secretIdMinRemainingMs, now: deps.now(),
  }))
  for (const w of decision.warnings) warnHost(h.result, w, deps.reporter)
  if (decision.action === 'mint') deps.reporter.event(name, `${opts.check ? 'would mint' : 'minting'} a new secret-id: ${decision.reason}`)
  const minted = !opts.check && decision.action === 'mint'
    ? await timed(h.result.timings, 'vault', () => deps.vault.createSecretId(h.host.role, { metadata: { host: name, created_by: 'authctl' } }))
    : null
  h.result.secretId = decision.action === 'keep'
    ? { action: 'keep', accessor: decision.accessor }
    : { action: opts.check ? 'would-mint' : 'mint', accessor: minted?.accessor, reason: decision.reason }
  const files: DesiredFile[] = [...desired.files, ...credentialFiles(h.host.root, roleId, minted?.secretId, opts.check && decision.action === 'mint')]
  let recordBefore: DesiredFile | null = null
  let current: RecordedSecretId | null = null
  let owed = decision.owed
  if (minted) {
    const swap = swapRecords(h.paths, decision, minted, fileSha)
    recordBefore = swap.before
    files.push(swap.after)
    owed = swap.owed
    current = { accessor: minted.accessor, sha256: contentSha(secretIdContent(minted.secretId)) }
  } else if (decision.action === 'keep') {
    current = { accessor: decision.accessor, sha256: decision.sha256 }
    files.push(recordFile(h.paths, { current, owed }))
  }
  if (owed.length > 0) deps.reporter.event(name, `${owed.length} replaced secret-id(s) owed a destroy once the host is healthy: ${owed.join(', ')}`)
  const plan = planHost({ dirs: desired.dirs, files }, h.state)
  // a kept secret-id is not rewritten: only its presence was checked
  h.result.files = plan.files.map((f) => ({ path: f.file.path, action: f.action }))
  const changed = filesToWrite(plan)
  for (const f of changed) deps.reporter.event(name, `${f.path}: ${plan.files.find((p) => p.file === f)?.action ?? 'change'}`)
  if (plan.restart) deps.reporter.event(name, `${opts.check ? 'would ' : ''}${plan.restart === 'agent' ? 'restart vault-agent, then server and worker' : 'run docker compose up'} (${plan.restartReason ?? ''})`)
  if (changed.length > 0 || plan.dirs.length > 0 || plan.restart || owed.length > 0) h.result.status = 'changed'
  if (opts.diff) {
    const { fileDiff } = await import('./diff.js')
    const before = await fetchBefore(h.remote, changed.filter((f) => !f.secret).map((f) => f.path))
    const existed = (f: DesiredFile) => plan.files.find((p) => p.file === f)?.action !== 'create'
    h.result.diff = changed.map((f) => fileDiff(f, before.get(f.path), minted ? [minted.secretId] : [], existed(f))).join('')
  }
  return { desired, decision, minted, plan, recordBefore, current, owed }
}

async function applyHost(h: Host, deps: SetupDeps, opts: SetupOptions, audit: (fields: Record<string, unknown>) => void, lock: WriteLock | undefined): Promise<void> {
  const { plan, minted } = h.prepared
  const files = filesToWrite(plan)
  const secretIdPath = stackPaths(h.host.root).credential('secret-id')
  const restart = plan.restart
  // the marker goes first: a run cut after any write still owes the restart; then the record that
  // names the new secret-id as pending, then the secret-id, then the record that makes it current
  const writes = [...(restart ? [pendingFile(h.paths, restart)] : []), ...(h.prepared.recordBefore ? [h.prepared.recordBefore] : []), ...files]
  const written = () => {
    if (files.length > 0) deps.reporter.event(h.host.name, `wrote ${files.length} file(s)`)
    audit({ files: files.map((f) => f.path), restart: restart ?? null, secret_id_accessor: minted?.accessor ?? h.result.secretId?.accessor ?? null })
  }
  let steps: string[] = []
  try {
    // a restart goes in the same round trip as the write, and starts only once every file is in place
    if (restart) {
      const req = { paths: h.paths, project: h.host.project, up: true, groups: groupsFor(restart), waitSeconds: opts.waitTimeoutS }
      steps = await writeThenConverge(h.remote, { dirs: plan.dirs, files: writes, lock }, req, { timings: h.result.timings, written })
    } else {
      if (writes.length > 0 || plan.dirs.length > 0 || lock) await timed(h.result.timings, 'write', () => writeFiles(h.remote, plan.dirs, writes, lock))
      written()
    }
  } catch (error) {
    const outcome = swapOutcome(error, secretIdPath)
    if (minted && outcome === 'unknown') {
      // the host may hold the new secret-id: it is neither destroyed nor put back, the pending record settles it
      warnHost(h.result, unknownSwapWarning(h.host.name, minted.accessor, h.prepared.decision.action === 'mint' ? h.prepared.decision.previous : undefined), deps.reporter)
      throw error
    }
    if (error instanceof ConvergeError) {
      h.result.healthy = false
      // the replaced secret-ids stay recorded as owed: the next successful run destroys them
      if (h.prepared.owed.length > 0) warnHost(h.result, `replaced secret-id(s) ${h.prepared.owed.join(', ')} stay valid until a run succeeds on this host (recorded on the host as owed)`, deps.reporter)
      throw error
    }
    // what to give back depends on what reached the host: a secret-id the host holds must stay valid
    if (minted && outcome === 'in-place') {
      warnHost(h.result, `the new secret-id (accessor ${minted.accessor}) reached the host before the write failed: it stays valid, recorded as pending; the next run finishes the swap`, deps.reporter)
    } else if (minted) {
      await destroyAccessor(h, deps, minted.accessor)
    }
    throw error
  }
  if (restart) {
    h.result.restarted = restart === 'agent' ? [...STACK_SERVICES] : ['compose up']
    h.result.healthy = steps.includes('healthy')
    deps.reporter.event(h.host.name, `healthy after ${restart === 'agent' ? 'restarting vault-agent, server, worker' : 'docker compose up'}`)
  }
  const current = h.prepared.current
  if (current && h.prepared.owed.length > 0) {
    const settled = await timed(h.result.timings, 'settle', () => settleOwed(h.remote, deps.vault, {
      role: h.host.role, paths: h.paths, current, owed: h.prepared.owed,
      onDestroyed: (a) => deps.reporter.event(h.host.name, `destroyed secret-id accessor ${a}`),
      onFailed: (a, message) => {
        if (h.result.secretId) h.result.secretId.destroyFailed = a
        warnHost(h.result, message, deps.reporter)
      },
    }))
    if (h.result.secretId && settled.destroyed.length > 0) h.result.secretId.destroyed = settled.destroyed
  }
}

// Destroys a secret-id by accessor; a failure is a warning on the host (in --json too) with the fix, never "done".
async function destroyAccessor(h: Host, deps: SetupDeps, accessor: string): Promise<void> {
  try {
    await deps.vault.destroySecretIdAccessor(h.host.role, accessor)
    deps.reporter.event(h.host.name, `destroyed secret-id accessor ${accessor}`)
  } catch (error) {
    warnHost(h.result, `could not destroy secret-id accessor ${accessor}: ${(error as Error).message}; destroy it with: vault write auth/approle/role/${h.host.role}/secret-id-accessor/destroy secret_id_accessor=${accessor}`, deps.reporter)
  }
}
