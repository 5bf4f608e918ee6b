// A hand-written SVG line chart of median wall time against host count (log–log), one line per
// tool and scenario: no chart library for one picture.
import { rows } from './stats.js'
import type { SavedRun } from './report.js'

interface Series {
  id: string
  label: string
  color: string
  dashed: boolean
}

const SERIES: Series[] = [
  { id: 'authctl-first', label: 'authctl setup, first run', color: '#1f77b4', dashed: false },
  { id: 'authctl-nochange', label: 'authctl setup, no change', color: '#1f77b4', dashed: true },
  { id: 'ansible-first-f5', label: 'ansible-playbook forks 5, first run', color: '#d62728', dashed: false },
  { id: 'ansible-nochange-f5', label: 'ansible-playbook forks 5, no change', color: '#d62728', dashed: true },
  { id: 'ansible-first-fN', label: 'ansible-playbook forks N, first run', color: '#ff7f0e', dashed: false },
  { id: 'ansible-nochange-fN', label: 'ansible-playbook forks N, no change', color: '#ff7f0e', dashed: true },
]

const W = 760
const H = 460
const PAD = { left: 70, right: 290, top: 40, bottom: 55 }
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;')

function ticks(lo: number, hi: number): number[] {
  const out: number[] = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e
      if (v >= lo && v <= hi) out.push(v)
    }
  }
  return out
}

// The chart for all saved runs; points without data are left out of their line.
export function wallTimeSvg(saved: readonly SavedRun[]): string {
  const points = new Map<string, { hosts: number; s: number }[]>()
  for (const run of saved) {
    for (const r of rows(run.results)) {
      if (r.medianS === undefined) continue
      points.set(r.id, [...(points.get(r.id) ?? []), { hosts: run.hosts, s: r.medianS }])
    }
  }
  const all = SERIES.flatMap((x) => points.get(x.id) ?? [])
  const hostsMax = Math.max(50, ...all.map((p) => p.hosts))
  const yLo = 10 ** Math.floor(Math.log10(Math.min(1, ...all.map((p) => p.s))))
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(10, ...all.map((p) => p.s))))
  const px = (h: number) => PAD.left + (Math.log10(h) / Math.log10(hostsMax)) * (W - PAD.left - PAD.right)
  const py = (v: number) => H - PAD.bottom - ((Math.log10(v) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * (H - PAD.top - PAD.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="22" font-size="15" font-weight="bold">Wall time of a setup run vs host count (median, log–log)</text>`,
  ]
  for (const v of ticks(yLo, yHi)) {
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#ddd"/>`)
    out.push(`<text x="${PAD.left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
  }
  for (const h of [...new Set([1, 10, 50, ...saved.map((r) => r.hosts)])].sort((a, b) => a - b)) {
    out.push(`<line x1="${px(h).toFixed(1)}" x2="${px(h).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#eee"/>`)
    out.push(`<text x="${px(h).toFixed(1)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${h}</text>`)
  }
  out.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 12}" text-anchor="middle">hosts</text>`)
  out.push(`<text transform="translate(18 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">seconds</text>`)
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#888"/>`)
  for (const [i, x] of SERIES.entries()) {
    const pts = (points.get(x.id) ?? []).sort((a, b) => a.hosts - b.hosts)
    const dash = x.dashed ? ' stroke-dasharray="6 4"' : ''
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${x.color}" stroke-width="2"${dash} points="${pts.map((p) => `${px(p.hosts).toFixed(1)},${py(p.s).toFixed(1)}`).join(' ')}"/>`)
    for (const p of pts) out.push(`<circle cx="${px(p.hosts).toFixed(1)}" cy="${py(p.s).toFixed(1)}" r="3.5" fill="${x.color}"><title>${esc(x.label)}: ${p.hosts} hosts, ${p.s.toFixed(2)} s</title></circle>`)
    const ly = PAD.top + 10 + i * 22
    out.push(`<line x1="${W - PAD.right + 16}" x2="${W - PAD.right + 46}" y1="${ly}" y2="${ly}" stroke="${x.color}" stroke-width="2"${dash}/>`)
    out.push(`<text x="${W - PAD.right + 52}" y="${ly + 4}">${esc(x.label)}</text>`)
  }
  out.push(`<text x="${W - PAD.right + 16}" y="${PAD.top + 10 + SERIES.length * 22 + 10}" fill="#555">authctl: default --forks 10</text>`)
  out.push('</svg>', '')
  return out.join('\n')
}
