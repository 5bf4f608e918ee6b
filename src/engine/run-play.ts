// The run engine: every command that touches hosts is this loop with a play in the middle.
// connect → read state (and lock) → prepare → the play's central change, if any (Vault, the database: once,
// while every host is locked) → apply in batches → release + audit → recap and exit code.
// A failure before any change aborts everywhere; the rollout stops once --max-fail is exceeded; the first
// Ctrl-C touches no further host, the second stops waiting for hosts in progress; the release always runs.
import { EXIT_CODES, InterruptedError, worstExitCode } from '../errors.js'
import type { HostOutcome } from './host-result.js'
import { hostPaths } from '../stack/host-paths.js'
import { mapLimit } from '../util/concurrency.js'
import { connectionOf, failHost, failedCount } from './outcome.js'
import { cancellable, readWithLockWait, releaseHosts, type LockedHost } from './host-lock.js'
import type { Connected, EngineDeps, Play, PlayHost, PreparedHost, ReadHost } from './play.js'
import { batchSize, batches, overFailLimit, type Rollout } from './rollout.js'
import { timed, type Timings } from '../util/timings.js'
import { auditRecord } from '../util/audit-record.js'

// How a run goes; the commands map their flags onto this.
export interface EngineOptions extends Rollout {
  // the deploy lock: taken by the read round trip, taken by the play's first write (a host with nothing
  // to change is never locked: one round trip), or not at all (--check, read-only commands)
  lock: 'read' | 'apply' | 'none'
  // stop after prepare: show what would change (--check)
  dryRun: boolean
  // whether an unreachable host counts toward --max-fail (restart) or is only reported (setup)
  unreachableCounts: boolean
  commandLine: string
}

// The options of a run that only reads through runPlay (status, audit): no lock, no change, no batches,
// and a failed host never stops the others.
export function readOnlyRun(forks: number, commandLine: string): EngineOptions {
  return { forks, serial: { count: 1 }, maxFail: { percent: 100 }, lock: 'none', lockWaitMs: 0, dryRun: true, unreachableCounts: false, commandLine }
}

// What a run returns: per-host results in inventory order, the exit code from the table, and the wall
// time of each phase over all hosts (connect, read, prepare, apply, release, total; ms).
export interface EngineResult<R extends HostOutcome> {
  hosts: R[]
  exitCode: number
  interrupted: boolean
  timings: Timings
}

// Runs a play over the hosts and always releases what it locked.
export async function runPlay<H extends PlayHost, S, P, R extends HostOutcome>(
  play: Play<H, S, P, R>, hosts: readonly H[], deps: EngineDeps, opts: EngineOptions,
): Promise<EngineResult<R>> {
  const results = hosts.map((h) => play.newResult(h))
  const locked: LockedHost[] = []
  const audit = new Map<string, string[]>()
  const timings: Timings = {}
  const run = new Run(play, deps, opts, results, locked, Date.now(), timings)
  const connections = await timed(timings, 'connect', () => deps.connect(hosts.map((h) => h.name)))
  const connected: Connected<H, R>[] = []
  hosts.forEach((host, i) => {
    const result = results[i] as R
    const c = connectionOf(connections, host.name)
    if (c instanceof Error) failHost(result, c, deps.reporter, 'unreachable')
    else connected.push({ host, paths: hostPaths(host.root), remote: cancellable(c, deps.hardSignal), result })
  })
  try {
    const read = await timed(timings, 'read', () => run.readAll(connected))
    if (run.preflightFailed()) {
      run.skipAll(read, 'preflight failed on another host')
      return run.finish()
    }
    const prepared = await timed(timings, 'prepare', () => run.prepareAll(read))
    if (run.preflightFailed()) {
      run.skipAll(prepared, 'preflight failed on another host')
      return run.finish()
    }
    if (opts.dryRun) return run.finish()
    const stop = play.central === undefined ? undefined : await timed(timings, 'central', () => run.central(prepared))
    if (stop !== undefined) {
      run.skipAll(prepared, stop)
      return run.finish()
    }
    await timed(timings, 'apply', () => run.applyAll(prepared, audit))
    return run.finish()
  } finally {
    await timed(timings, 'release', () => releaseHosts(locked, audit, deps, opts.forks))
    const lines = [...audit.values()].flat()
    if (lines.length > 0) await deps.auditLocal(lines).catch((error: unknown) => deps.reporter.warn('*', `the bastion audit log could not be written: ${(error as Error).message}`))
    // the result returned above holds this object: the release and the total land in it before the caller sees it
    timings.total = Date.now() - run.started
  }
}

class Run<H extends PlayHost, S, P, R extends HostOutcome> {
  private stopReason?: string

  constructor(
    private readonly play: Play<H, S, P, R>,
    private readonly deps: EngineDeps,
    private readonly opts: EngineOptions,
    private readonly results: R[],
    // every host this run may hold the lock of: released in every case by runPlay
    private readonly locked: LockedHost[],
    readonly started: number,
    // the run's phase spans, filled in by runPlay (finish adds the total)
    private readonly timings: Timings,
  ) {}

  private failures(): number {
    return failedCount(this.results, this.opts.unreachableCounts)
  }

  preflightFailed(): boolean {
    return overFailLimit(this.opts.maxFail, this.failures(), this.results.length)
  }

  // Round trip 1 on every host (the lock, when asked, is taken by the same command).
  async readAll(hosts: Connected<H, R>[]): Promise<ReadHost<H, S, R>[]> {
    const out: ReadHost<H, S, R>[] = []
    await mapLimit(hosts, this.opts.forks, async (h) => {
      // owed a release from the moment the command may run: a parse error or a dropped connection
      // after the mkdir must not leave the lock behind (the release removes only a lock that is ours)
      if (this.opts.lock === 'read') this.locked.push({ name: h.host.name, paths: h.paths, remote: h.remote, result: h.result })
      const lock = this.opts.lock === 'none' ? undefined : { details: this.deps.lockDetails, take: this.opts.lock === 'read' }
      try {
        const state = await timed(h.result.timings, 'read', () => readWithLockWait(() => this.play.read(h, lock), {
          waitMs: this.opts.lockWaitMs, signal: this.deps.signal, onWait: (m) => this.deps.reporter.event(h.host.name, m),
        }))
        // a read-only run (status, audit, --check) reports its results, not this step
        if (this.opts.lock === 'read') this.deps.reporter.event(h.host.name, 'locked, state read')
        else if (!this.opts.dryRun) this.deps.reporter.event(h.host.name, 'state read')
        out.push({ ...h, state })
      } catch (error) {
        failHost(h.result, error, this.deps.reporter)
      }
    })
    return order(out, this.results)
  }

  async prepareAll(hosts: ReadHost<H, S, R>[]): Promise<PreparedHost<H, S, P, R>[]> {
    const out: PreparedHost<H, S, P, R>[] = []
    await mapLimit(hosts, this.opts.forks, async (h) => {
      try {
        out.push({ ...h, prepared: await timed(h.result.timings, 'prepare', () => this.play.prepare(h)) })
      } catch (error) {
        failHost(h.result, error, this.deps.reporter)
      }
    })
    return order(out, this.results)
  }

  // The play's one central change, while every host still in play is locked; a throw stops the run too.
  async central(hosts: PreparedHost<H, S, P, R>[]): Promise<string | undefined> {
    // a Ctrl-C while hosts were locked and read: no central change starts
    if (this.deps.signal.aborted) return 'interrupted before any change'
    const owed = this.results.filter((r) => r.error !== undefined)
    try {
      return await this.play.central?.(hosts.filter((h) => !h.result.error), owed)
    } catch (error) {
      this.skipAll(hosts, `the central change failed: ${(error as Error).message}`)
      throw error
    }
  }

  // Marks every host still in play as skipped (nothing was changed on it).
  skipAll(hosts: readonly { result: R }[], reason: string): void {
    for (const h of hosts) {
      if (h.result.error) continue
      h.result.status = 'skipped'
      h.result.error = { message: `not changed: ${reason}`, exitCode: 0 }
    }
  }

  // Hosts that do not interrupt service first, in parallel; then the rolling ones in batches.
  async applyAll(hosts: PreparedHost<H, S, P, R>[], audit: Map<string, string[]>): Promise<void> {
    const todo = hosts.filter((h) => !h.result.error && this.play.changes(h))
    const rolling = todo.filter((h) => this.play.rolling(h))
    const parallel = todo.filter((h) => !rolling.includes(h))
    await mapLimit(parallel, this.opts.forks, async (h) => {
      if (await this.mayStart(h)) await this.applyOne(h, audit)
    })
    for (const batch of batches(rolling, batchSize(this.opts.serial, this.results.length))) {
      const go: PreparedHost<H, S, P, R>[] = []
      for (const h of batch) if (await this.mayStart(h)) go.push(h)
      await Promise.all(go.map((h) => this.applyOne(h, audit)))
    }
  }

  // Whether a host may be touched now; if not, it is marked with the reason.
  private async mayStart(h: PreparedHost<H, S, P, R>): Promise<boolean> {
    if (this.deps.signal.aborted) {
      failHost(h.result, new InterruptedError('not changed: interrupted before this host'), this.deps.reporter)
    } else if (this.stopReason !== undefined) {
      h.result.status = 'skipped'
      h.result.error = { message: `not changed: ${this.stopReason}`, hint: 'Fix the failed host, then run the command again.', exitCode: EXIT_CODES.hostFailed }
    } else return true
    return false
  }

  private async applyOne(h: PreparedHost<H, S, P, R>, audit: Map<string, string[]>): Promise<void> {
    const lines = audit.get(h.host.name) ?? []
    audit.set(h.host.name, lines)
    const record = (fields: Record<string, unknown>) =>
      lines.push(auditRecord({ at: this.deps.now(), who: this.deps.who, host: h.host.name, command: this.opts.commandLine }, fields))
    // the play's first write takes the lock: from the moment it may run, the host is owed a release
    const takeLock = this.opts.lock === 'apply' ? { details: this.deps.lockDetails } : undefined
    if (takeLock) this.locked.push({ name: h.host.name, paths: h.paths, remote: h.remote, result: h.result })
    try {
      await timed(h.result.timings, 'apply', () => this.play.apply(h, { reporter: this.deps.reporter, audit: record, signal: this.deps.hardSignal, lock: takeLock }))
    } catch (error) {
      failHost(h.result, error, this.deps.reporter)
    }
    h.result.durationMs = Date.now() - this.started
    if (this.stopReason === undefined && overFailLimit(this.opts.maxFail, this.failures(), this.results.length)) {
      const failed = this.results.filter((r) => r.status === 'failed' || (this.opts.unreachableCounts && r.status === 'unreachable')).map((r) => r.host)
      this.stopReason = `rollout stopped because ${failed.join(', ')} failed`
    }
  }

  finish(): EngineResult<R> {
    const elapsed = Date.now() - this.started
    for (const r of this.results) if (r.durationMs === 0) r.durationMs = elapsed
    const interrupted = this.deps.signal.aborted
    const code = worstExitCode(this.results.map((r) => r.error?.exitCode ?? 0))
    return { hosts: this.results, exitCode: interrupted ? EXIT_CODES.interrupted : code, interrupted, timings: this.timings }
  }
}

// Keeps inventory order whatever order parallel work finished in.
function order<T extends { result: HostOutcome }>(items: T[], results: readonly HostOutcome[]): T[] {
  return [...items].sort((a, b) => results.indexOf(a.result) - results.indexOf(b.result))
}
