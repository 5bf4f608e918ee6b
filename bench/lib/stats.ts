// Summaries of a scenario's samples: median and range of wall time, the ratio to its authctl
// counterpart, remote commands per host, and peak memory.
import type { ScenarioResult } from './runner.js'

// One row of the results table.
export interface Row {
  id: string
  label: string
  tool: string
  n: number
  failed: number
  medianS?: number
  minS?: number
  maxS?: number
  /** authctl median / this median, for rows with a `versus` */
  ratio?: number
  /** commands per host: the median over runs of the busiest host */
  commandsPerHost?: number
  peakRssMiB?: number
  medianCpuS?: number
}

// The median of a non-empty list (mean of the middle two for even lengths).
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function summarize(r: ScenarioResult): Row {
  const row: Row = { id: r.id, label: r.label, tool: r.tool, n: r.samples.length, failed: r.failures.length }
  if (r.samples.length === 0) return row
  const walls = r.samples.map((s) => s.wallMs / 1000)
  row.medianS = median(walls)
  row.minS = Math.min(...walls)
  row.maxS = Math.max(...walls)
  const busiest = r.samples.flatMap((s) => (s.commandsPerHost ? [Math.max(...s.commandsPerHost)] : []))
  if (busiest.length > 0) row.commandsPerHost = median(busiest)
  const rss = r.samples.flatMap((s) => (s.maxRssKb === undefined ? [] : [s.maxRssKb]))
  if (rss.length > 0) row.peakRssMiB = Math.max(...rss) / 1024
  const cpu = r.samples.flatMap((s) => (s.cpuS === undefined ? [] : [s.cpuS]))
  if (cpu.length > 0) row.medianCpuS = median(cpu)
  return row
}

// The table rows, with ratios filled in from each row's authctl counterpart.
export function rows(results: readonly ScenarioResult[]): Row[] {
  const out = results.map(summarize)
  const byId = new Map(out.map((r) => [r.id, r]))
  for (const [i, r] of out.entries()) {
    const versus = results[i]?.versus
    const base = versus ? byId.get(versus) : undefined
    if (base?.medianS !== undefined && r.medianS !== undefined && r.medianS > 0) r.ratio = base.medianS / r.medianS
  }
  return out
}
