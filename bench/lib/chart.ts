// A hand-written SVG line chart of median wall time against host count (log–log), one line per
// host row of every tool (authctl, Ansible as shipped and tuned, the floor), the fleet run's
// authctl points, and Ansible extrapolated to the fleet's host count (hollow markers, dotted).
import { extrapolateAnsible } from './extrapolate.js'
import { rows } from './stats.js'
import type { SavedRun } from './report.js'

interface Style {
  color: string
  dash: string
}

// Colour by tool and configuration, dash by scenario.
export function styleOf(id: string): Style {
  const color = id.startsWith('authctl') ? '#1f77b4' : id === 'floor' ? '#444' : id === 'replay' ? '#999' : id.includes('tuned') ? '#2ca02c' : id.endsWith('-fN') ? '#ff7f0e' : '#d62728'
  const dash = id === 'floor' ? '1 3' : id === 'replay' ? '4 2' : id.includes('nochange') ? '6 4' : id.includes('restart-serial1') ? '2 3' : id.includes('restart-all') ? '9 3 2 3' : ''
  return { color, dash }
}

const W = 880
const H = 560
const PAD = { left: 70, right: 390, top: 40, bottom: 55 }
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;')
const LEGEND: Record<string, string> = { floor: 'floor: ssh + sudo -n true a host', replay: "replay of authctl's no-change commands (OpenSSH)" }
const shortLabel = (id: string, label: string) => LEGEND[id] ?? `${id.startsWith('authctl') ? 'authctl ' : ''}${label.replace(/^ansible-playbook /, 'ansible ').replace(/ \(pipelining, ControlPersist, forks N≤50, free\)/, '')}`

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

type Point = { hosts: number; s: number }

// Medians of every host row (the rows with remote commands counted), by id, fewest hosts first.
function measuredSeries(saved: readonly SavedRun[]): Map<string, { label: string; pts: Point[] }> {
  const series = new Map<string, { label: string; pts: Point[] }>()
  for (const run of saved) {
    for (const r of rows(run.results)) {
      if (r.medianS === undefined || r.commandsPerHost === undefined) continue
      const s = series.get(r.id) ?? { label: r.label, pts: [] }
      s.pts.push({ hosts: run.hosts, s: r.medianS })
      series.set(r.id, s)
    }
  }
  for (const s of series.values()) s.pts.sort((a, b) => a.hosts - b.hosts)
  return series
}

// The chart for all saved runs; points without data are left out of their line.
export function wallTimeSvg(saved: readonly SavedRun[]): string {
  const series = measuredSeries(saved)
  const fleet = saved.filter((r) => r.fleet !== undefined).at(-1)
  const extra = fleet ? extrapolateAnsible(saved.filter((r) => r.fleet === undefined), fleet.hosts) : []
  const all = [...[...series.values()].flatMap((x) => x.pts), ...extra.map((e) => ({ hosts: e.hosts, s: e.medianS }))]
  const hostsMax = Math.max(50, ...all.map((p) => p.hosts))
  const yLo = 10 ** Math.floor(Math.log10(Math.min(1, ...all.map((p) => p.s))))
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(10, ...all.map((p) => p.s))))
  const px = (h: number) => PAD.left + (Math.log10(h) / Math.log10(hostsMax)) * (W - PAD.left - PAD.right)
  const py = (v: number) => H - PAD.bottom - ((Math.log10(v) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * (H - PAD.top - PAD.bottom)
  const xy = (p: Point) => `${px(p.hosts).toFixed(1)},${py(p.s).toFixed(1)}`
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="22" font-size="15" font-weight="bold">Wall time vs host count (median, log–log)</text>`,
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
  for (const [i, [id, x]] of [...series.entries()].entries()) {
    const { color, dash } = styleOf(id)
    const d = dash ? ` stroke-dasharray="${dash}"` : ''
    if (x.pts.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${d} points="${x.pts.map(xy).join(' ')}"/>`)
    for (const p of x.pts) out.push(`<circle cx="${px(p.hosts).toFixed(1)}" cy="${py(p.s).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(x.label)}: ${p.hosts} hosts, ${p.s.toFixed(2)} s</title></circle>`)
    const e = extra.find((z) => z.id === id)
    const last = x.pts.at(-1)
    if (e && last) {
      const ep = { hosts: e.hosts, s: e.medianS }
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="1 4" points="${xy(last)} ${xy(ep)}"/>`)
      out.push(`<circle cx="${px(ep.hosts).toFixed(1)}" cy="${py(ep.s).toFixed(1)}" r="4" fill="white" stroke="${color}" stroke-width="2"><title>${esc(x.label)}: ${e.hosts} hosts, ~${e.medianS.toFixed(0)} s EXTRAPOLATED from ${e.from.join('/')} hosts</title></circle>`)
    }
    const ly = PAD.top + 10 + i * 20
    out.push(`<line x1="${W - PAD.right + 14}" x2="${W - PAD.right + 44}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${d}/>`)
    out.push(`<text x="${W - PAD.right + 50}" y="${ly + 4}">${esc(shortLabel(id, x.label))}</text>`)
  }
  const notesY = PAD.top + 10 + series.size * 20 + 10
  out.push(`<text x="${W - PAD.right + 14}" y="${notesY}" fill="#555">authctl: default --forks 10; hollow markers: Ansible</text>`)
  out.push(`<text x="${W - PAD.right + 14}" y="${notesY + 16}" fill="#555">extrapolated to ${fleet?.hosts ?? '–'} hosts (not run)</text>`)
  out.push('</svg>', '')
  return out.join('\n')
}
