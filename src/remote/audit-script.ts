// Reads a host's audit log (one JSON line per change, appended by the release round trip) for
// `authctl audit`: its length first, so a malformed line can be named by its line number, then the
// last N lines (or all), each tagged so nothing a line holds can pass for a header.
import type { HostPaths } from '../stack/host-paths.js'
import { rootScript } from './sudo.js'

// $1 audit log, $2 number of lines from the end or "all".
export const AUDIT_SCRIPT = `log=$1 n=$2
[ -f "$log" ] || { echo none; exit 0; }
printf 'lines\\t%s\\n' "$(wc -l < "$log")"
if [ "$n" = all ]; then cat -- "$log"; else tail -n "$n" -- "$log"; fi | sed 's/^/entry\\t/'
`

// The argv of the audit read.
export function auditArgv(paths: HostPaths, tail: number | 'all'): string[] {
  return rootScript('authctl-audit', AUDIT_SCRIPT, [paths.auditLog, String(tail)])
}

// The raw lines read from one host, numbered as in the file.
export interface AuditLines {
  exists: boolean
  lines: { number: number; text: string }[]
}

// Parses the audit read: "none" when the host has no log yet.
export function parseAuditLines(stdout: string): AuditLines {
  const out = stdout.split('\n')
  if (out[0] === 'none') return { exists: false, lines: [] }
  const total = Number(/^lines\t(\d+)/.exec(out[0] ?? '')?.[1] ?? 0)
  const texts = out.filter((l) => l.startsWith('entry\t')).map((l) => l.slice(6))
  // wc -l counts newlines: a last line without one (a write cut short) is one more
  const lines = total + (texts.length > 0 && !stdout.endsWith('\n') ? 1 : 0)
  const first = lines - texts.length + 1
  return { exists: true, lines: texts.map((text, i) => ({ number: first + i, text })) }
}
