// The engine's read-only entry, beside runPlay: what `lock status|release`, `logs` and `ssh-check` run.
// One connection per host, an unreachable host classified once, at most --forks hosts in flight, a time
// bound per host, Ctrl-C as in runPlay (the first starts no further host, the second stops waiting for
// the hosts in flight), a status per host and the worst exit code. No lock, batches, audit or release:
// nothing here changes a host's stack, so none of runPlay's phases apply.
import { EXIT_CODES, HostFailedError, InterruptedError, worstExitCode, type AuthctlError } from '../errors.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { mapLimit } from '../util/concurrency.js'
import { cancellable } from './host-lock.js'
import { asAuthctlError, connectionOf } from './outcome.js'
import type { EngineDeps } from './play.js'

// The two interrupts a command hands the engine (first Ctrl-C, second Ctrl-C).
export type Interrupts = Pick<EngineDeps, 'signal' | 'hardSignal'>

// For callers with no Ctrl-C to pass on (tests, library use): nothing ever interrupts them.
export const NO_INTERRUPTS: Interrupts = { signal: new AbortController().signal, hardSignal: new AbortController().signal }

// The ports: the connector (whose connections may tell more than a RemoteHost, as ssh-check's do),
// progress for what the engine decides (a host unreachable or out of time), and the interrupts.
export interface ReadOnlyDeps<C extends RemoteHost> extends Interrupts {
  connect(names: readonly string[]): Promise<Map<string, C | Error>>
  reporter: EngineDeps['reporter']
}

export interface ReadOnlyOptions {
  // hosts in flight at once; Infinity for every host at once (a follow runs until Ctrl-C)
  forks: number
  // the longest one host may take before it fails and is no longer waited for (undefined: no bound);
  // set above the visitor's own command timeouts, whose message says more
  hostTimeoutMs?: number
}

// What the visitor gets for one reached host.
export interface Visit<C> {
  // the connection itself (ssh-check reports how the host was reached)
  connection: C
  // the same host, each command cancelled by `signal` unless the command brings its own
  remote: RemoteHost
  // aborted by a second Ctrl-C or when the host's time is up
  signal: AbortSignal
}

// What went wrong on a host the visitor could not finish: it says so itself, as it happens (it knows
// the context); the engine only reports what it decided (unreachable, out of time).
export type Visitor<H, C, T> = (host: H, visit: Visit<C>) => Promise<T>

// One host's outcome with its exit code from the table (errors.ts): the visitor's value, or why there is none.
export type HostVisit<T> =
  | { host: string; status: 'ok'; value: T; exitCode: number }
  | { host: string; status: 'failed' | 'unreachable' | 'interrupted'; error: AuthctlError; exitCode: number }

// Every host in inventory order, the worst exit code, and whether the run was interrupted (first Ctrl-C).
export interface ReadOnlyResult<T> {
  hosts: HostVisit<T>[]
  exitCode: number
  interrupted: boolean
}

// Connects every host, then visits each reached one; never throws for a host's failure.
export async function forEachHost<H extends { name: string }, C extends RemoteHost, T>(
  hosts: readonly H[], deps: ReadOnlyDeps<C>, opts: ReadOnlyOptions, visitor: Visitor<H, C, T>,
): Promise<ReadOnlyResult<T>> {
  const connections = await deps.connect(hosts.map((h) => h.name))
  const results = await mapLimit(hosts, opts.forks, async (host): Promise<HostVisit<T>> => {
    const c = connectionOf(connections, host.name)
    if (c instanceof Error) {
      deps.reporter.warn(host.name, c.message)
      return { host: host.name, status: 'unreachable', error: c, exitCode: EXIT_CODES.unreachable }
    }
    if (deps.signal.aborted) return stopped(host.name, new InterruptedError(`${host.name}: not started: interrupted before this host`))
    return visitOne(host, c, deps, opts, visitor)
  })
  return { hosts: results, exitCode: worstExitCode(results.map((r) => r.exitCode)), interrupted: deps.signal.aborted }
}

// One visit, raced against the second Ctrl-C and the host's time bound; the loser's commands are cancelled.
async function visitOne<H extends { name: string }, C extends RemoteHost, T>(
  host: H, connection: C, deps: ReadOnlyDeps<C>, opts: ReadOnlyOptions, visitor: Visitor<H, C, T>,
): Promise<HostVisit<T>> {
  const done = new AbortController()
  const timeUp = new AbortController()
  const signal = AbortSignal.any([deps.hardSignal, timeUp.signal])
  const timer = opts.hostTimeoutMs === undefined ? undefined : setTimeout(() => timeUp.abort(), opts.hostTimeoutMs)
  // settles (as a rejection) when the engine stops waiting for this host
  const giveUp = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(new InterruptedError(`${host.name}: stopped`))
    else signal.addEventListener('abort', () => reject(new InterruptedError(`${host.name}: stopped`)), { once: true, signal: done.signal })
  })
  const work = visitor(host, { connection, remote: cancellable(connection, signal), signal })
  // the visit may still fail after the engine stopped waiting: that is no longer news
  work.catch(() => undefined)
  giveUp.catch(() => undefined)
  try {
    return { host: host.name, status: 'ok', value: await Promise.race([work, giveUp]), exitCode: EXIT_CODES.ok }
  } catch (error) {
    // once the engine stopped waiting, its reason wins over what a cancelled command said
    if (timeUp.signal.aborted) {
      const late = new HostFailedError(`${host.name}: no answer within ${String(opts.hostTimeoutMs)} ms; no longer waited for`, { hint: 'Check the host (load, disk, sshd), then run the command again.' })
      deps.reporter.warn(host.name, late.message)
      return stopped(host.name, late)
    }
    if (deps.hardSignal.aborted) return stopped(host.name, new InterruptedError(`${host.name}: interrupted; no longer waited for`))
    return stopped(host.name, asAuthctlError(error))
  } finally {
    clearTimeout(timer)
    done.abort()
  }
}

// The outcome of a host the visit did not finish, classified by its error's exit code.
function stopped<T>(host: string, error: AuthctlError): HostVisit<T> {
  const status = error.exitCode === EXIT_CODES.unreachable ? 'unreachable' : error.exitCode === EXIT_CODES.interrupted ? 'interrupted' : 'failed'
  return { host, status, error, exitCode: error.exitCode }
}
