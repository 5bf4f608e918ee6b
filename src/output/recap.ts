// The end-of-run recap: one line per host with its status, what changed and what failed, plus the
// next step for every failure. Plain text, aligned, no secrets (results carry none).
import type { HostOutcome, HostResult } from '../engine/host-result.js'

// How a play names its statuses and describes a host that did not fail.
export interface RecapStyle<R extends HostOutcome> {
  detail(r: R): string
  label?: Partial<Record<HostOutcome['status'], string>>
}

// The setup play's detail: files changed and unchanged, what restarted, health.
export const setupRecap: RecapStyle<HostResult> = {
  detail: (r) => {
    const changed = r.files.filter((f) => f.action !== 'unchanged').length
    const parts = [`changed=${changed}`, `unchanged=${r.files.length - changed}`]
    if (r.restarted.length > 0) parts.push(`restarted=${r.restarted.join(',')}`)
    if (r.healthy !== null) parts.push(`healthy=${r.healthy ? 'yes' : 'no'}`)
    // credentials are what on-call looks for first: which secret-id the host got, which ones are gone
    if (r.secretId?.action === 'mint' && r.secretId.accessor) parts.push(`secret-id=${r.secretId.accessor}`)
    if (r.secretId?.action === 'would-mint') parts.push('secret-id=would-mint')
    if (r.secretId?.destroyed && r.secretId.destroyed.length > 0) parts.push(`destroyed-secret-id=${r.secretId.destroyed.join(',')}`)
    return parts.join(' ')
  },
}

// The recap text for a finished play (setup's style unless another is given).
export function formatRecap<R extends HostOutcome>(title: string, results: readonly R[], style: RecapStyle<R> = setupRecap as unknown as RecapStyle<R>): string {
  const width = Math.max(4, ...results.map((r) => r.host.length))
  const statusWidth = Math.max(11, ...results.map((r) => (style.label?.[r.status] ?? r.status).length))
  const lines = [`${title} RECAP`]
  for (const r of results) {
    const detail = r.error ? r.error.message : style.detail(r)
    lines.push(`${r.host.padEnd(width)}  ${(style.label?.[r.status] ?? r.status).padEnd(statusWidth)}  ${detail}  (${(r.durationMs / 1000).toFixed(1)}s)`)
  }
  for (const r of results) for (const w of r.warnings) lines.push(`  ${r.host}: warning: ${w}`)
  for (const r of results) if (r.error?.hint) lines.push(`  ${r.host}: ${r.error.hint}`)
  return lines.join('\n') + '\n'
}
