// The issue 11 targets, judged from the saved runs: the 10-host run for the ratios, the fleet run
// (200 hosts, or the largest that came up) for memory. Rewritten with every report.
import { rows, type Row } from './stats.js'
import type { SavedRun } from './report.js'

// One line of the targets table.
export interface TargetLine {
  what: string
  target: string
  measured: string
  met: 'yes' | 'no' | 'not measured'
}

const x = (v: number) => `${v.toFixed(1)}×`
const sec = (v: number | undefined) => (v === undefined ? '?' : `${v.toFixed(2)} s`)
const MB = 1_000_000 / 1024 // KiB per MB: the target says MB (10^6 bytes)

function row(run: SavedRun | undefined, id: string): Row | undefined {
  return run ? rows(run.results).find((r) => r.id === id) : undefined
}

function atLeast(what: string, target: string, min: number, r: Row | undefined): TargetLine {
  if (!r?.best || r.medianS === undefined) return { what, target, measured: r?.pending ?? 'no authctl and Ansible medians', met: 'not measured' }
  const tuned = r.best.id.includes('tuned') ? 'tuned Ansible' : `best Ansible row (${r.best.label})`
  const measured = `${x(r.best.speedup)} (${sec(r.medianS)} vs ${sec(r.best.medianS)}, ${tuned})`
  return { what, target, measured, met: r.best.speedup >= min ? 'yes' : 'no' }
}

function atMost(what: string, target: string, max: number, r: Row | undefined, yardstickId: string): TargetLine {
  const y = r?.yardsticks?.find((z) => z.id === yardstickId)
  if (!y || r?.medianS === undefined) return { what, target, measured: `no ${yardstickId} median`, met: 'not measured' }
  const measured = `${x(y.multiple)} (${sec(r.medianS)} vs ${sec(y.medianS)})`
  return { what, target, measured, met: y.multiple <= max ? 'yes' : 'no' }
}

// The targets of issue 11 against the saved runs.
export function targetLines(measured: readonly SavedRun[], fleet: SavedRun | undefined): TargetLine[] {
  const ten = measured.find((r) => r.hosts === 10)
  const noChange = row(ten, 'authctl-nochange')
  const lines = [
    atLeast('no-change `setup`, 10 hosts, vs tuned Ansible', '≥ 20× faster', 20, noChange),
    atMost('no-change `setup`, 10 hosts, vs the floor', '≤ 1.5× the floor', 1.5, noChange, 'floor'),
    atLeast('first-run `setup`, 10 hosts, vs tuned Ansible', '≥ 8× faster', 8, row(ten, 'authctl-first')),
  ]
  const fleetNoChange = row(fleet, 'authctl-nochange')
  const counts = [noChange, fleetNoChange].flatMap((r, i) => (r?.commandsPerHost === undefined ? [] : [{ hosts: i === 0 ? 10 : (fleet?.hosts ?? 0), n: r.commandsPerHost }]))
  lines.push({
    what: 'remote commands a host, no-change run', target: '1',
    measured: counts.length === 0 ? 'not counted' : counts.map((c) => `${c.n} (busiest host, ${c.hosts} hosts)`).join('; '),
    met: counts.length === 0 ? 'not measured' : counts.every((c) => c.n <= 1) ? 'yes' : 'no',
  })
  const rss = fleetNoChange?.peakRssMiB
  const at = fleet ? `${fleet.hosts} hosts${fleet.hosts < 200 ? ` (200 could not be brought up: ${fleet.fleet?.bedFailure ?? 'see notes'})` : ''}` : ''
  lines.push({
    what: '200 hosts, no-change', target: 'peak RSS ≤ 200 MB',
    measured: rss === undefined ? 'no fleet run saved (npx tsx bench/fleet.ts --hosts 200)' : `${((rss * 1024) / MB).toFixed(0)} MB (${rss.toFixed(0)} MiB) at ${at}`,
    met: rss === undefined ? 'not measured' : (rss * 1024) / MB <= 200 && (fleet?.hosts ?? 0) >= 200 ? 'yes' : (rss * 1024) / MB > 200 ? 'no' : 'not measured',
  })
  lines.push(atMost('`authctl --help`', "≤ 1.5× `node -e ''`", 1.5, row(ten, 'authctl-help'), 'node-empty'))
  return lines
}

// The targets as a Markdown table.
export function targetsTable(lines: readonly TargetLine[]): string {
  return ['| what | target | measured | met? |', '|---|---|---|---|', ...lines.map((l) => `| ${l.what} | ${l.target} | ${l.measured} | ${l.met} |`)].join('\n')
}

// Where a no-change run's time goes, from the yardsticks measured beside it: the floor (connect +
// sudo), the replay (authctl's own remote commands over OpenSSH, one session a host) and node's start-up.
export function noChangeBreakdown(run: SavedRun | undefined): string | undefined {
  const all = run ? rows(run.results) : []
  const median = (id: string) => all.find((r) => r.id === id)?.medianS
  const [a, f, r, n, inv] = ['authctl-nochange', 'floor', 'replay', 'node-empty', 'authctl-inventory'].map(median)
  if (!run || a === undefined || f === undefined || r === undefined) return undefined
  const node = n === undefined ? '' : ` (Node's own start-up is ${sec(n)}${inv === undefined ? '' : `; \`authctl inventory --list\`, oclif and the inventory code without any host, ${sec(inv)}`})`
  const local = a >= r
    ? `authctl takes ${sec(a - r)} more than that replay: that is what its local side${node} (module loading, ssh2's handshake in JavaScript, render, Vault) and its second round trip a host cost beyond the sh and OpenSSH client processes the replay starts.`
    : `authctl as a whole is ${sec(r - a)} faster than that replay: one Node process with ${run.hosts} ssh2 connections costs less here than ${run.hosts} OpenSSH client processes, which more than pays for its local side${node}.`
  return [
    `Where a no-change \`setup\` spends its ${sec(a)} at ${run.hosts} hosts (medians of the same run): ${sec(f)} is the floor`,
    `(OpenSSH connect + \`sudo -n true\`, all hosts at once); authctl's own remote commands, replayed with OpenSSH in one`,
    `session a host, take ${sec(r)}, i.e. ${sec(r - f)} of work on the hosts beyond the floor; ${local}`,
  ].join('\n')
}
