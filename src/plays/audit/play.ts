// `authctl audit`: what every run changed, from the audit log each selected host keeps, merged by
// time into one history. Read-only: a play on the run engine that never locks and never applies.
import { HostFailedError } from '../../errors.js'
import { readOnlyRun, runPlay } from '../../engine/run-play.js'
import type { EngineDeps } from '../../engine/play.js'
import type { Play, PlayHost } from '../../engine/play.js'
import { warnHost } from '../../engine/outcome.js'
import { newOutcome, type HostOutcome } from '../../engine/host-result.js'
import { auditArgv, parseAuditLines, type AuditLines } from '../../remote/audit-script.js'
import { mergeAudit, type AuditEntry, type MalformedLine } from './audit-merge.js'

// How much history to show, and the run's forks.
export interface AuditOptions {
  // last N entries over all hosts (each host is asked for its last N)
  tail?: number
  since?: Date
  forks: number
  commandLine: string
}

// One host in the result: the engine's outcome plus what its log held.
export interface AuditHostResult extends HostOutcome {
  // whether the host has an audit log yet (none before its first change)
  logFound: boolean
  entries: number
}

// The --json contract (pinned by a test).
export interface AuditResult {
  exitCode: number
  interrupted: boolean
  entries: AuditEntry[]
  malformed: MalformedLine[]
  hosts: AuditHostResult[]
}

// Reads and merges every host's audit log; a host that cannot be read is reported, the others shown.
export async function runAudit(hosts: readonly PlayHost[], deps: EngineDeps, opts: AuditOptions): Promise<AuditResult> {
  const read = new Map<string, AuditLines['lines']>()
  const play: Play<PlayHost, AuditLines, void, AuditHostResult> = {
    newResult: (h) => ({ ...newOutcome(h.name), logFound: false, entries: 0 }),
    read: async (h) => {
      const r = await h.remote.exec(auditArgv(h.paths, opts.tail ?? 'all'), { timeoutMs: 60_000 })
      if (r.code !== 0) throw new HostFailedError(`${h.host.name}: reading ${h.paths.auditLog} failed (exit ${String(r.code)}): ${r.stderr.trim().slice(0, 200)}`)
      return parseAuditLines(r.stdout)
    },
    prepare: async (h) => {
      h.result.logFound = h.state.exists
      read.set(h.host.name, h.state.lines)
    },
    changes: () => false,
    rolling: () => false,
    apply: async () => undefined,
  }
  const run = await runPlay(play, hosts, deps, readOnlyRun(opts.forks, opts.commandLine))
  const history = mergeAudit(hosts.map((h) => ({ host: h.name, lines: read.get(h.name) ?? [] })), { since: opts.since, tail: opts.tail })
  for (const r of run.hosts) {
    r.entries = history.entries.filter((e) => e.host === r.host).length
    for (const m of history.malformed.filter((x) => x.host === r.host)) warnHost(r, `audit log line ${m.line} skipped: ${m.reason}`, deps.reporter)
  }
  return { exitCode: run.exitCode, interrupted: run.interrupted, entries: history.entries, malformed: history.malformed, hosts: run.hosts }
}
