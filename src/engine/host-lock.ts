// The deploy lock as the engine holds it: waiting out a held lock (--lock-wait), and releasing every
// lock this run may hold, in every case, over a new connection when the old one was lost.
import { InterruptedError, LockHeldError } from '../errors.js'
import type { HostOutcome } from './host-result.js'
import { sanitizeRemote } from '../util/sanitize.js'
import type { ExecOptions } from '../remote/exec-result.js'
import type { HostPaths } from '../stack/host-paths.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { releaseArgv } from '../remote/release-script.js'
import { mapLimit } from '../util/concurrency.js'
import { sleep } from '../util/sleep.js'
import { warnHost } from './outcome.js'
import { timed } from '../util/timings.js'
import type { EngineDeps } from './play.js'

// A host whose lock this run may hold (its read command was sent with a lock request).
export interface LockedHost {
  name: string
  paths: HostPaths
  remote: RemoteHost
  result: HostOutcome
}

// Bounded time for the release round trip: it must never hang the end of a run.
const RELEASE_TIMEOUT_MS = 30_000

// Runs the read; while another run holds the lock and the wait allows, retries every 2 s.
export async function readWithLockWait<S>(read: () => Promise<S>, opts: { waitMs: number; signal: AbortSignal; onWait: (message: string) => void }): Promise<S> {
  const deadline = Date.now() + opts.waitMs
  for (;;) {
    try {
      return await read()
    } catch (error) {
      if (!(error instanceof LockHeldError) || Date.now() >= deadline) throw error
      opts.onWait(`waiting for the deploy lock: ${error.message}`)
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())), opts.signal)
      if (opts.signal.aborted) throw new InterruptedError('interrupted while waiting for the lock')
    }
  }
}

// The host with every command cancelled by the signal (a second Ctrl-C), unless a command brings its own.
export function cancellable(remote: RemoteHost, signal: AbortSignal): RemoteHost {
  return { name: remote.name, exec: (argv, opts: ExecOptions = {}) => remote.exec(argv, { signal, ...opts }) }
}

// Appends each host's audit lines and releases its lock (only if still ours). A lost connection is
// reopened once; a release that still fails is reported with the command that clears it.
export async function releaseHosts(hosts: readonly LockedHost[], audit: ReadonlyMap<string, string[]>, deps: Pick<EngineDeps, 'connect' | 'reporter' | 'lockDetails'>, forks: number): Promise<void> {
  await mapLimit(hosts, forks, async (h) => {
    const argv = releaseArgv(h.paths, deps.lockDetails, audit.get(h.name) ?? [])
    // never cancelled: the release must run even after a second Ctrl-C
    const release = (remote: RemoteHost) => remote.exec(argv, { timeoutMs: RELEASE_TIMEOUT_MS, signal: new AbortController().signal })
    await timed(h.result.timings, 'release', async () => {
      try {
        let r = await release(h.remote).catch(async () => {
          const again = (await deps.connect([h.name])).get(h.name)
          if (again === undefined || again instanceof Error) throw again ?? new Error('no connection')
          return release(again)
        })
        if (r.code !== 0) r = await release(h.remote)
        if (r.code !== 0) throw new Error(sanitizeRemote(r.stderr.trim(), { maxBytes: 300 }) || `exit ${String(r.code)}`)
      } catch (error) {
        warnHost(h.result, `the deploy lock may still be held: ${(error as Error).message}. Check with: authctl lock status -l ${h.name}; clear it with: authctl lock release -l ${h.name} --yes`, deps.reporter)
      }
    })
  })
}
