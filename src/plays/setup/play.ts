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
import { credentialFile } from '../../render/bundle.js'
import { credentialFiles, owedAfterSwap, pendingFile, recordFile, recordToMint, secretIdContent, swapRecords } from '../../steps/credentials.js'
import type { DesiredFile, DesiredState } from '../../render/desired.js'
import { fetchBefore } from './fetch-before.js'
import { ConvergeError, expectedState, readState, writeFiles, writeThenConverge } from '../../steps/host-steps.js'
import type { WriteLock } from '../../remote/write-script.js'
import { filesToWrite, planHost, stackRunning, type HostPlan } from '../../steps/plan.js'
import { decideSecretId, type SecretIdDecision } from '../../steps/secret-id.js'
import { contentSha, heldSecretId, type RecordedSecretId } from '../../steps/secret-id-record.js'
import { settleOwed } from '../../steps/secret-id-settle.js'
import { swapOutcome, unknownSwapWarning } from '../../steps/secret-id-swap.js'
import type { SetupDeps, SetupHost, SetupOptions } from '../shared/setup-types.js'
import { namedBy, onceARun, reapOrphans, type RoleSecretIds } from '../shared/secret-id-orphans.js'
import { destroyMinted, putBackSecretId, readOldSecretId } from '../shared/secret-id-put-back.js'
import { HostFailedError } from '../../errors.js'

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
  // whether the host gets a new secret-id: minted only when its turn comes (apply), under its lock
  mint: boolean
  fileSha: string | undefined
  plan: HostPlan
  // the kept secret-id (null when one is minted at apply), and the replaced ones owed a destroy once it is healthy
  current: RecordedSecretId | null
  owed: string[]
  // --diff: the files' content before (a minting host's diff is redone once its secret-id is known)
  before?: Map<string, string | undefined>
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
  const secretIds = onceARun(deps.vault)
  return {
    newResult: (h) => newHostResult(h.name),
    read: (h, lock) => readState(h.remote, { paths: h.paths, project: h.host.project, lock, targets: targets(h.host, desired.get(h.host.name) as DesiredState) }),
    prepare: (h) => prepareHost(h, desired.get(h.host.name) as DesiredState, roleIds.get(h.host.role) ?? '', deps, opts),
    changes: (h) => h.result.status === 'changed',
    // a stack that already serves traffic is restarted a batch at a time; fresh hosts go in parallel
    rolling: (h) => h.prepared.plan.restart !== undefined && stackRunning(h.state),
    apply: (h, ctx) => {
      // the first write takes the lock and re-checks, under it, every path this plan was made from
      const lock = ctx.lock && { dir: h.paths.lockDir, details: ctx.lock.details, expect: expectedState(h.state, fileTargets(h.host, desired.get(h.host.name) as DesiredState)) }
      return applyHost(h, deps, opts, { audit: ctx.audit, secretIds }, lock)
    },
  }
}

// Decide the host's secret-id (a new one is minted only at its turn, in apply), then plan its files (and diff them).
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
  const mint = !opts.check && decision.action === 'mint'
  h.result.secretId = decision.action === 'keep'
    ? { action: 'keep', accessor: decision.accessor }
    : { action: opts.check ? 'would-mint' : 'mint', accessor: undefined, reason: decision.reason }
  // the secret-id file (and, when minted, its record) is planned as a change whose content apply fills in
  const files: DesiredFile[] = [...desired.files, ...credentialFiles(h.host.root, roleId, undefined, decision.action === 'mint')]
  let current: RecordedSecretId | null = null
  let owed = decision.owed
  if (mint) {
    files.push(recordToMint(h.paths))
    owed = owedAfterSwap(decision)
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
  let before: Map<string, string | undefined> | undefined
  if (opts.diff) {
    before = await fetchBefore(h.remote, changed.filter((f) => !f.secret).map((f) => f.path))
    h.result.diff = await diffOf(plan, changed, before, [])
  }
  return { desired, decision, mint, fileSha, plan, current, owed, before }
}

// The --diff text of the files to write (a secret file only says that it changes).
async function diffOf(plan: HostPlan, files: readonly DesiredFile[], before: Map<string, string | undefined>, secrets: readonly Secret[]): Promise<string> {
  const { fileDiff } = await import('./diff.js')
  const existed = (f: DesiredFile) => plan.files.find((p) => p.file.path === f.path)?.action !== 'create'
  return files.map((f) => fileDiff(f, before.get(f.path), secrets, existed(f))).join('')
}

// Mints the host's new secret-id at its turn, right before the write (a run killed earlier leaves none
// live that no host holds), and fills it and its records into the planned files.
async function mintForWrite(h: Host, deps: SetupDeps, files: DesiredFile[]): Promise<Minting> {
  const { decision, fileSha, plan } = h.prepared
  const secretIdPath = stackPaths(h.host.root).credential('secret-id')
  // read before the mint: only an agent restart proves a login, so only then can the old one be put back;
  // and only one Vault still knows for this host (or shared), or an unrecorded one, as regen would
  const worthIt = decision.action === 'mint' && (decision.previous !== undefined || !heldSecretId(h.state.secretIdRecord, fileSha).recorded)
  const old = plan.restart === 'agent' && fileSha !== undefined && worthIt ? await readOldSecretId(h, deps, secretIdPath, fileSha) : undefined
  const minted = await timed(h.result.timings, 'vault', () => deps.vault.createSecretId(h.host.role, { metadata: { host: h.host.name, created_by: 'authctl' } }))
  deps.reporter.event(h.host.name, `minted a new secret-id (accessor ${minted.accessor})`)
  if (h.result.secretId) h.result.secretId.accessor = minted.accessor
  const swap = swapRecords(h.paths, decision, minted, fileSha)
  const secretIdFile = credentialFile(h.host.root, 'secret-id', secretIdContent(minted.secretId))
  const filled = files.map((f) => (f.path === secretIdPath ? secretIdFile : f.path === h.paths.secretIdAccessor ? swap.after : f))
  return { minted, old, files: filled, recordBefore: swap.before, owed: swap.owed, current: { accessor: minted.accessor, sha256: contentSha(secretIdContent(minted.secretId)) } }
}

interface Minting {
  minted: { secretId: Secret; accessor: string }
  // the file the host ran on, kept in memory to put back if the agent refuses the new one
  old: Secret | undefined
  files: DesiredFile[]
  // the record written before the new secret-id file (names it pending)
  recordBefore: DesiredFile
  owed: string[]
  current: RecordedSecretId
}

async function applyHost(h: Host, deps: SetupDeps, opts: SetupOptions, ctx: { audit: (fields: Record<string, unknown>) => void; secretIds: RoleSecretIds }, lock: WriteLock | undefined): Promise<void> {
  const { plan, decision, fileSha } = h.prepared
  const secretIdPath = stackPaths(h.host.root).credential('secret-id')
  const restart = plan.restart
  const minting = h.prepared.mint ? await mintForWrite(h, deps, filesToWrite(plan)) : null
  const minted = minting?.minted ?? null
  const files = minting?.files ?? filesToWrite(plan)
  const owed = minting?.owed ?? h.prepared.owed
  const current = minting?.current ?? h.prepared.current
  if (minting && h.prepared.before) h.result.diff = await diffOf(plan, files, h.prepared.before, [minting.minted.secretId])
  // the marker goes first: a run cut after any write still owes the restart; then the record that
  // names the new secret-id as pending, then the secret-id, then the record that makes it current
  const writes = [...(restart ? [pendingFile(h.paths, restart)] : []), ...(minting ? [minting.recordBefore] : []), ...files]
  const written = () => {
    if (files.length > 0) deps.reporter.event(h.host.name, `wrote ${files.length} file(s)`)
    ctx.audit({ files: files.map((f) => f.path), restart: restart ?? null, secret_id_accessor: minted?.accessor ?? h.result.secretId?.accessor ?? null })
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
      warnHost(h.result, unknownSwapWarning(h.host.name, minted.accessor, decision.action === 'mint' ? decision.previous : undefined), deps.reporter)
      throw error
    }
    if (error instanceof ConvergeError) {
      h.result.healthy = false
      // Put back only when the agent refused the new secret-id: every other file stays as written (it is
      // what the inventory asks for, and only secrets are read back), and the agent, then server and
      // worker, restart on the old secret-id. If the new files were the cause, the old one fails too: the
      // host still holds a valid secret-id, the new one is destroyed, and the restart stays owed.
      const restored = minting !== null && error.failed === 'noLogin' && await putBackSecretId(h, deps, {
        minted: minting.minted.accessor, old: minting.old, decision, fileSha, waitTimeoutS: opts.waitTimeoutS, groups: groupsFor('agent'),
      })
      // the replaced secret-ids stay recorded as owed: the next successful run destroys them
      const stillOwed = restored ? decision.owed : owed
      if (stillOwed.length > 0) warnHost(h.result, `replaced secret-id(s) ${stillOwed.join(', ')} stay valid until a run succeeds on this host (recorded on the host as owed)`, deps.reporter)
      if (restored) throw new HostFailedError(`${error.message}; the previous secret-id was put back and stays valid, the new one was destroyed`, { hint: error.hint })
      throw error
    }
    // what to give back depends on what reached the host: a secret-id the host holds must stay valid
    if (minted && outcome === 'in-place') {
      warnHost(h.result, `the new secret-id (accessor ${minted.accessor}) reached the host before the write failed: it stays valid, recorded as pending; the next run finishes the swap`, deps.reporter)
    } else if (minted) {
      await destroyMinted(h, deps, minted.accessor)
    }
    throw error
  }
  if (restart) {
    h.result.restarted = restart === 'agent' ? [...STACK_SERVICES] : ['compose up']
    h.result.healthy = steps.includes('healthy')
    deps.reporter.event(h.host.name, `healthy after ${restart === 'agent' ? 'restarting vault-agent, server, worker' : 'docker compose up'}`)
  }
  const destroyed: string[] = []
  if (current && owed.length > 0) {
    const settled = await timed(h.result.timings, 'settle', () => settleOwed(h.remote, deps.vault, {
      role: h.host.role, paths: h.paths, current, owed,
      onDestroyed: (a) => deps.reporter.event(h.host.name, `destroyed secret-id accessor ${a}`),
      onFailed: (a, message) => {
        if (h.result.secretId) h.result.secretId.destroyFailed = a
        warnHost(h.result, message, deps.reporter)
      },
    }))
    destroyed.push(...settled.destroyed)
  }
  // setup holds the host's lock only once its write took it: it reaps here, never on a no-change run
  if (lock) {
    const held = heldSecretId(h.state.secretIdRecord, fileSha).via
    destroyed.push(...await timed(h.result.timings, 'vault', () => reapOrphans(h, deps, ctx.secretIds, {
      named: [...namedBy(h.state.secretIdRecord), ...(minted ? [minted.accessor] : []), ...owed],
      known: minted !== null || held === 'current' || held === 'pending', now: deps.now(),
    })))
  }
  if (h.result.secretId && destroyed.length > 0) h.result.secretId.destroyed = destroyed
}
