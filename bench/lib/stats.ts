// Summaries of a scenario's samples: median and range of wall time, the ratio to its authctl
// counterpart, authctl against the best Ansible row and against the yardsticks (floor, node
// start-up), remote commands per host, peak memory and per-phase timings.
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
  // the whole machine's busy CPU seconds during the run (median)
  medianMachineCpuS?: number
  /** why the row did not run (the build lacks the command) */
  pending?: string
  /** authctl rows: the fastest Ansible row compared with this one, and how many times faster authctl is */
  best?: { id: string; label: string; medianS: number; speedup: number }
  /** authctl rows: this median as a multiple of each yardstick row's median (the floor, the replay, node's start-up) */
  yardsticks?: { id: string; label: string; medianS: number; multiple: number }[]
  /** authctl rows: median ms per phase, when --json reported phases */
  phases?: Record<string, number>
}

// The median of a non-empty list (mean of the middle two for even lengths).
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function summarize(r: ScenarioResult): Row {
  const row: Row = { id: r.id, label: r.label, tool: r.tool, n: r.samples.length, failed: r.failures.length }
  if (r.pending !== undefined) row.pending = r.pending
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
  const machine = r.samples.flatMap((s) => (s.machineCpuS === undefined ? [] : [s.machineCpuS]))
  if (machine.length > 0) row.medianMachineCpuS = median(machine)
  const names = [...new Set(r.samples.flatMap((x) => Object.keys(x.phases ?? {})))]
  if (names.length > 0) row.phases = Object.fromEntries(names.map((k) => [k, median(r.samples.flatMap((x) => (x.phases?.[k] === undefined ? [] : [x.phases[k]])))]))
  return row
}

// The table rows, with ratios filled in from each row's authctl counterpart, and each authctl row's
// best Ansible rival and yardsticks. Rows in `uncompared` (kept from an earlier run) get no ratio.
export function rows(results: readonly ScenarioResult[], uncompared: ReadonlySet<string> = new Set()): Row[] {
  const out = results.map(summarize)
  const byId = new Map(out.map((r) => [r.id, r]))
  for (const [i, r] of out.entries()) {
    const versus = results[i]?.versus
    const base = versus ? byId.get(versus) : undefined
    if (base?.medianS === undefined || r.medianS === undefined || r.medianS <= 0 || uncompared.has(r.id)) continue
    r.ratio = base.medianS / r.medianS
    if (r.tool === 'ansible' && (base.best === undefined || r.medianS < base.best.medianS)) {
      base.best = { id: r.id, label: r.label, medianS: r.medianS, speedup: r.medianS / base.medianS }
    }
    if (r.tool === 'floor' || r.tool === 'probe' || r.tool === 'baseline') {
      base.yardsticks = [...(base.yardsticks ?? []), { id: r.id, label: r.label, medianS: r.medianS, multiple: base.medianS / r.medianS }]
    }
  }
  return out
}
