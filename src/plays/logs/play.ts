// `authctl logs`: the compose logs of every selected host, each line handed on with its host name.
// With --follow every host is followed at once until the signal (Ctrl-C): our end of each command is
// closed, so each host's follower is stopped by its wrapper. A host that drops out is reported and
// the others go on. No lock: nothing changes.
import { EXIT_CODES, HostFailedError, InterruptedError, UnreachableError, worstExitCode } from '../../errors.js'
import type { Reporter } from '../../engine/reporter.js'
import { logsArgv, type LogService } from '../../remote/logs-argv.js'
import { hostPaths } from '../../stack/host-paths.js'
import type { RemoteHost } from '../../remote/remote-host.js'
import { mapLimit } from '../../util/concurrency.js'

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
  // one line a host sent: stdout is the logs, stderr what docker said
  line(host: string, stream: 'stdout' | 'stderr', text: string): void
  reporter: Reporter
  // Ctrl-C: stop following (or fetching)
  signal: AbortSignal
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

// Fetches or follows the logs of every host; never throws for a host's failure.
export async function runLogs(hosts: readonly LogsHost[], deps: LogsDeps, opts: LogsOptions): Promise<LogsResult> {
  const conns = await deps.connect(hosts.map((h) => h.name))
  const one = async (h: LogsHost): Promise<LogsHostResult> => {
    const remote = conns.get(h.name)
    if (remote === undefined || remote instanceof Error) return report(deps, { host: h.name, status: 'unreachable', lines: 0, error: remote?.message ?? `${h.name}: not connected` })
    let lines = 0
    const argv = logsArgv({ paths: hostPaths(h.root), project: h.project, services: opts.services, tail: opts.tail, since: opts.since, follow: opts.follow })
    try {
      const r = await remote.exec(argv, {
        signal: deps.signal, holdStdin: opts.follow, timeoutMs: opts.follow ? FOLLOW_TIMEOUT_MS : FETCH_TIMEOUT_MS,
        onLine: (stream, text) => {
          if (stream === 'stdout') lines++
          deps.line(h.name, stream, text)
        },
      })
      if (r.code !== 0) return report(deps, { host: h.name, status: 'failed', lines, error: `${h.name}: docker compose logs failed (exit ${String(r.code ?? r.signal)})` })
      if (opts.follow) deps.reporter.event(h.name, 'the follow ended on the host (its containers stopped?)')
      return { host: h.name, status: 'ok', lines }
    } catch (error) {
      // Ctrl-C is how a follow ends; for a plain fetch it is an interruption
      if (error instanceof InterruptedError) return { host: h.name, status: opts.follow ? 'ok' : 'interrupted', lines }
      if (error instanceof UnreachableError) return report(deps, { host: h.name, status: 'unreachable', lines, error: `${error.message}${opts.follow ? '; the other hosts are still followed' : ''}` })
      if (error instanceof HostFailedError) return report(deps, { host: h.name, status: 'failed', lines, error: error.message })
      throw error
    }
  }
  // a follower runs until Ctrl-C, so every host is followed at once whatever --forks says
  const results = opts.follow ? await Promise.all(hosts.map(one)) : await mapLimit(hosts, opts.forks, one)
  const code = (r: LogsHostResult) => ({ ok: 0, failed: EXIT_CODES.hostFailed, unreachable: EXIT_CODES.unreachable, interrupted: EXIT_CODES.interrupted })[r.status]
  return { hosts: results, exitCode: worstExitCode(results.map(code)), interrupted: deps.signal.aborted }
}

function report(deps: LogsDeps, r: LogsHostResult): LogsHostResult {
  deps.reporter.warn(r.host, r.error ?? r.status)
  return r
}
