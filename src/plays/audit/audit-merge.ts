// The audit lines of many hosts as one history: each line parsed (a malformed one is reported with its
// host and line number, never fatal), then merged by time, filtered by --since and cut to --tail.
import { sanitizeRemote } from '../../util/sanitize.js'
import type { AuditLines } from '../../remote/audit-script.js'

// One change as a run recorded it on a host (no secrets: versions and accessors, never values).
export interface AuditEntry {
  // the host whose log holds the line, and its line number there
  host: string
  line: number
  time: string
  who: string
  command: string
  // everything else the run recorded (files, restart, secret_id_accessor, …)
  fields: Record<string, unknown>
}

// A line that is not an audit record.
export interface MalformedLine {
  host: string
  line: number
  reason: string
  excerpt: string
}

// The merged entries and the lines that were skipped.
export interface AuditHistory {
  entries: AuditEntry[]
  malformed: MalformedLine[]
}

function parseLine(host: string, number: number, text: string): AuditEntry | MalformedLine {
  const bad = (reason: string): MalformedLine => ({ host, line: number, reason, excerpt: sanitizeRemote(text).slice(0, 80) })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return bad('not JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('not a JSON object')
  // lines written before the one audit record builder named the time `ts` (Vault-only commands)
  const { time: at, ts, who, command, host: _recordedHost, ...fields } = value as Record<string, unknown>
  const time = at ?? ts
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return bad('no valid "time"')
  return { host, line: number, time, who: typeof who === 'string' ? who : '?', command: typeof command === 'string' ? command : '?', fields }
}

// Merges the hosts' lines (given in inventory order) by time; ties keep host order, then line order.
export function mergeAudit(hosts: readonly { host: string; lines: AuditLines['lines'] }[], opts: { since?: Date; tail?: number } = {}): AuditHistory {
  const entries: AuditEntry[] = []
  const malformed: MalformedLine[] = []
  for (const h of hosts) {
    for (const l of h.lines) {
      const parsed = parseLine(h.host, l.number, l.text)
      if ('reason' in parsed) malformed.push(parsed)
      else entries.push(parsed)
    }
  }
  const order = new Map(hosts.map((h, i) => [h.host, i]))
  const at = (e: AuditEntry) => Date.parse(e.time)
  entries.sort((a, b) => at(a) - at(b) || (order.get(a.host) ?? 0) - (order.get(b.host) ?? 0) || a.line - b.line)
  const since = opts.since?.getTime()
  const kept = since === undefined ? entries : entries.filter((e) => at(e) >= since)
  return { entries: opts.tail === undefined ? kept : kept.slice(Math.max(0, kept.length - opts.tail)), malformed }
}
