// The end-of-run recap: one line per host with its status, what changed and what failed, plus the
// next step for every failure. Plain text, aligned, no secrets (results carry none).
import type { HostResult } from './host-result.js'

function counts(r: HostResult): string {
  const changed = r.files.filter((f) => f.action !== 'unchanged').length
  const parts = [`changed=${changed}`, `unchanged=${r.files.length - changed}`]
  if (r.restarted.length > 0) parts.push(`restarted=${r.restarted.join(',')}`)
  if (r.healthy !== null) parts.push(`healthy=${r.healthy ? 'yes' : 'no'}`)
  return parts.join(' ')
}

// The recap text for a finished play.
export function formatRecap(title: string, results: readonly HostResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.host.length))
  const lines = [`${title} RECAP`]
  for (const r of results) {
    const detail = r.error ? r.error.message : counts(r)
    lines.push(`${r.host.padEnd(width)}  ${r.status.padEnd(11)}  ${detail}  (${(r.durationMs / 1000).toFixed(1)}s)`)
  }
  for (const r of results) if (r.error?.hint) lines.push(`  ${r.host}: ${r.error.hint}`)
  return lines.join('\n') + '\n'
}
