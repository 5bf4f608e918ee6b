// `authctl audit` for people: one line per change, oldest first — time, host, who, what changed and
// the command that did it — then the lines that could not be read.
import type { AuditHistory } from './audit-merge.js'
import { sanitizeRemote } from '../../util/sanitize.js'

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '-'
  if (Array.isArray(v)) return v.map(valueText).join(',')
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

// The history as aligned text (no colour: it is meant to be searched and pasted).
export function formatAuditTable(history: AuditHistory): string {
  const hostW = Math.max(0, ...history.entries.map((e) => e.host.length))
  const whoW = Math.max(0, ...history.entries.map((e) => e.who.length))
  const lines = history.entries.map((e) => {
    const fields = Object.entries(e.fields).map(([k, v]) => `${k}=${valueText(v)}`).join(' ')
    return sanitizeRemote([e.time, e.host.padEnd(hostW), e.who.padEnd(whoW), fields, `(${e.command})`].filter((x) => x !== '').join('  '))
  })
  if (lines.length === 0) lines.push('no audit entries')
  for (const m of history.malformed) lines.push(sanitizeRemote(`skipped ${m.host} line ${m.line}: ${m.reason}: ${m.excerpt}`))
  return lines.join('\n') + '\n'
}
