// Ansible at host counts it was not run at (the 200-host mode runs authctl alone): a least-squares
// line through the medians measured at 1/10/50 hosts, always labelled as extrapolated.
import { rows } from './stats.js'
import type { SavedRun } from './report.js'

// One extrapolated row.
export interface Extrapolated {
  id: string
  label: string
  hosts: number
  medianS: number
  /** the host counts the line was fitted through */
  from: number[]
}

// Least-squares fit y = a + b·x; undefined with fewer than two distinct x.
export function linearFit(points: readonly { x: number; y: number }[]): { a: number; b: number } | undefined {
  const n = points.length
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  if (n < 2 || sxx === 0) return undefined
  const b = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx
  return { a: my - b * mx, b }
}

// Every Ansible host row measured at two or more host counts, extended to `hosts`.
export function extrapolateAnsible(measured: readonly SavedRun[], hosts: number): Extrapolated[] {
  const series = new Map<string, { label: string; points: { x: number; y: number }[] }>()
  for (const run of measured) {
    for (const r of rows(run.results)) {
      // host rows are the ones with remote commands counted (the cold starts touch no host)
      if (r.tool !== 'ansible' || r.medianS === undefined || r.commandsPerHost === undefined) continue
      const s = series.get(r.id) ?? { label: r.label, points: [] }
      s.points.push({ x: run.hosts, y: r.medianS })
      series.set(r.id, s)
    }
  }
  const out: Extrapolated[] = []
  for (const [id, s] of series) {
    const fit = linearFit(s.points)
    if (!fit) continue
    out.push({ id, label: s.label, hosts, medianS: fit.a + fit.b * hosts, from: s.points.map((p) => p.x).sort((a, b) => a - b) })
  }
  return out
}
