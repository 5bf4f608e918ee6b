// `authctl logs`: the compose logs of every selected host, each line handed on with its host name,
// sanitized first: a compromised host's line must not drive the operator's terminal.
// With --follow every host is followed at once until the signal (Ctrl-C): our end of each command is
// closed, so each host's follower is stopped by its wrapper. A host that drops out is reported and
// the others go on. No lock: nothing changes.
import { HostFailedError, InterruptedError, UnreachableError } from '../../errors.js'
import { forEachHost, NO_INTERRUPTS, type HostVisit } from '../../engine/for-each-host.js'
import type { Reporter } from '../../engine/reporter.js'
import { logsArgv, type LogService } from '../../remote/logs-argv.js'
import { hostPaths } from '../../stack/host-paths.js'
import { sanitizeRemote } from '../../util/sanitize.js'
import type { RemoteHost } from '../../remote/remote-host.js'
import type { ExecResult } from '../../remote/exec-result.js'

// Where one host's stack lives.
export interface LogsHost {
  name: string
  root: string
  project: string
}

// What to show, and whether to follow.
export interface LogsOptions {
  services: readonly LogService[]
  tail?: number
  // docker's --since form ("600s" or an RFC 3339 time)
  since?: string
  follow: boolean
  forks: number
}

// The play's ports: SSH, where lines go, progress, Ctrl-C.
export interface LogsDeps {
  connect(names: readonly string[]): Promise<Map<string, RemoteHost | Error>>
  // one line a host sent, already sanitized: stdout is the logs, stderr what docker said
  line(host: string, stream: 'stdout' | 'stderr', text: string): void
  reporter: Reporter
  // Ctrl-C: stop following (or fetching)
  signal: AbortSignal
  // a second Ctrl-C: stop waiting for a host still fetching (absent: never)
  hardSignal?: AbortSignal
}

// How one host's logs went (ok also when a follow was ended by Ctrl-C).
export interface LogsHostResult {
  host: string
  status: 'ok' | 'failed' | 'unreachable' | 'interrupted'
  lines: number
  error?: string
}

// Every host's outcome and the exit code (a follow ended by Ctrl-C exits 0).
export interface LogsResult {
  hosts: LogsHostResult[]
  exitCode: number
  interrupted: boolean
}

// The longest a timer may wait (about 24.8 days): a follow has no other end than the signal.
const FOLLOW_TIMEOUT_MS = 2 ** 31 - 1
const FETCH_TIMEOUT_MS = 120_000

// What a host sent (a line, or an error quoting it) as it may reach the screen: escapes and control
// characters shown as visible text, the size bounded (src/util/sanitize.ts).
const shown = (text: string): string => sanitizeRemote(text, { newlines: true })

// The longest one host may take to fetch: its command's own bound comes first (its message says more).
const HOST_TIMEOUT_MS = FETCH_TIMEOUT_MS + 10_000

// Fetches or follows the logs of every host through the engine's read-only entry; never throws for a host's failure.
export async function runLogs(hosts: readonly LogsHost[], deps: LogsDeps, opts: LogsOptions): Promise<LogsResult> {
  const counted = new Map<string, number>()
  const run = await forEachHost(
    hosts, { connect: deps.connect, reporter: deps.reporter, signal: deps.signal, hardSignal: deps.hardSignal ?? NO_INTERRUPTS.hardSignal },
    // a follower runs until Ctrl-C, so every host is followed at once whatever --forks says
    { forks: opts.follow ? Infinity : opts.forks, hostTimeoutMs: opts.follow ? undefined : HOST_TIMEOUT_MS },
    async (h, { remote }) => {
      const argv = logsArgv({ paths: hostPaths(h.root), project: h.project, services: opts.services, tail: opts.tail, since: opts.since, follow: opts.follow })
      const fail = (error: Error): never => {
        deps.reporter.warn(h.name, shown(error.message))
        throw error
      }
      let r: ExecResult
      try {
        r = await remote.exec(argv, {
          signal: deps.signal, holdStdin: opts.follow, timeoutMs: opts.follow ? FOLLOW_TIMEOUT_MS : FETCH_TIMEOUT_MS,
          onLine: (stream, text) => {
            if (stream === 'stdout') counted.set(h.name, (counted.get(h.name) ?? 0) + 1)
            deps.line(h.name, stream, sanitizeRemote(text))
          },
        })
      } catch (error) {
        // Ctrl-C is how a follow ends; for a plain fetch it is an interruption (nothing to report)
        if (error instanceof InterruptedError) {
          if (opts.follow) return
          throw error
        }
        if (error instanceof UnreachableError) return fail(new UnreachableError(`${error.message}${opts.follow ? '; the other hosts are still followed' : ''}`, { cause: error }))
        return fail(error as Error)
      }
      if (r.code !== 0) fail(new HostFailedError(`${h.name}: docker compose logs failed (exit ${String(r.code ?? r.signal)})`))
      if (opts.follow) deps.reporter.event(h.name, 'the follow ended on the host (its containers stopped?)')
    },
  )
  const result = (v: HostVisit<void>): LogsHostResult => {
    const lines = counted.get(v.host) ?? 0
    if (v.status === 'ok') return { host: v.host, status: 'ok', lines }
    return v.status === 'interrupted' ? { host: v.host, status: v.status, lines } : { host: v.host, status: v.status, lines, error: shown(v.error.message) }
  }
  return { hosts: run.hosts.map(result), exitCode: run.exitCode, interrupted: run.interrupted }
}
