// Turns the saved runs (bench/results/data/hosts-N.json, fleet-N.json) into the console table and
// bench/results/RESULTS.md; every bench run rewrites the Markdown from all saved runs.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { extrapolateAnsible } from './extrapolate.js'
import type { MachineInfo } from './machine.js'
import { phasesSection, type PhasesRun } from './phases-report.js'
import type { ScenarioResult } from './runner.js'
import { rows, type Row } from './stats.js'
import { noChangeBreakdown, targetLines, targetsTable } from './targets.js'

// One saved bench run at one host count.
export interface SavedRun {
  hosts: number
  runs: number
  date: string
  machine: MachineInfo
  results: ScenarioResult[]
  /** set by bench/fleet.ts: authctl alone on several beds */
  fleet?: { requestedHosts: number; beds: number; forks: number; bedFailure?: string }
  /** rows kept from an earlier run by --merge: id -> that run's date */
  keptFrom?: Record<string, string>
}

const s = (v: number | undefined, digits = 2) => (v === undefined ? '–' : v.toFixed(digits))
const times = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)}×`
const short = (label: string) => label.replace(/ \(pipelining, ControlPersist, forks N≤50, free\)/, '')
// "3.1× faster", or "2.0× slower" when authctl lost.
const faster = (speedup: number) => (speedup >= 1 ? `${times(speedup)} faster` : `${times(1 / speedup)} slower`)

// The comparison cell: authctl rows against the best Ansible row and their yardstick; other rows against authctl.
function compareCell(r: Row, all: readonly Row[]): string {
  if (r.tool === 'authctl') {
    const parts: string[] = []
    if (r.best) parts.push(`**${faster(r.best.speedup)}** than the best Ansible row (${short(r.best.label)})`)
    for (const y of r.yardsticks ?? []) parts.push(`${times(y.multiple)} ${y.id === 'floor' ? 'the floor' : y.id === 'replay' ? 'the replay' : short(y.label)}`)
    return parts.join('; ')
  }
  if (r.ratio === undefined) return ''
  if (r.tool === 'floor' || r.tool === 'probe' || r.tool === 'baseline') return `authctl = ${times(r.ratio)} this`
  const isBest = all.some((a) => a.best?.id === r.id)
  return `authctl ${faster(1 / r.ratio)}${isBest ? ' ← best Ansible' : ''}`
}

// The results as a Markdown (also console-readable) table.
export function table(run: SavedRun): string {
  const head = '| scenario | n | median s | min–max s | compared | remote cmds per host | peak RSS MiB | CPU s (median) | machine CPU s (median) |'
  const lines = [head, '|---|---:|---:|---:|---|---:|---:|---:|---:|']
  const all = rows(run.results, new Set(Object.keys(run.keptFrom ?? {})))
  for (const r of all) {
    const failed = r.failed > 0 ? ` (${r.failed} failed)` : ''
    const kept = run.keptFrom?.[r.id] ? ' †' : ''
    if (r.pending !== undefined && r.n === 0) {
      lines.push(`| ${r.label}${kept} | 0 | ${r.pending} | | | | | | |`)
      continue
    }
    lines.push(`| ${r.label}${failed}${kept} | ${r.n} | ${s(r.medianS)} | ${s(r.minS)}–${s(r.maxS)} | ${compareCell(r, all)} | ${r.commandsPerHost ?? ''} | ${s(r.peakRssMiB, 0)} | ${s(r.medianCpuS)} | ${s(r.medianMachineCpuS)} |`)
  }
  const phased = all.filter((r) => r.phases)
  for (const r of phased) lines.push('', `Phases of "${r.label}" (median ms): ${Object.entries(r.phases ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`)
  const kept = [...new Set(Object.values(run.keptFrom ?? {}))]
  if (kept.length > 0) lines.push('', `† kept from the run of ${kept.join(', ')} (--merge): not measured in this run, so not compared with it.`)
  return lines.join('\n')
}

// Every saved run, fewest hosts first (a fleet run after the bench run at the same count).
export async function loadSaved(dataDir: string): Promise<SavedRun[]> {
  const names = (await readdir(dataDir).catch(() => [] as string[])).filter((n) => /^(hosts|fleet)-\d+\.json$/.test(n))
  const runs = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dataDir, n), 'utf8')) as SavedRun))
  return runs.sort((a, b) => a.hosts - b.hosts || Number(a.fleet !== undefined) - Number(b.fleet !== undefined))
}

function machineBlock(run: SavedRun): string {
  const m = run.machine
  return [
    `Measured ${run.date} on ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB, Linux ${m.kernel}; Node ${m.node}; ${m.ansible}; ${m.openssh}.`,
    `Load: \`${m.uptimeAtStart}\` at the start, \`${m.uptimeAtEnd ?? '?'}\` at the end (other engineers' test runs share the 2 cores).`,
  ].join('\n')
}

function fleetSection(run: SavedRun, measured: readonly SavedRun[]): string[] {
  const f = run.fleet
  const head = `## ${run.hosts} hosts, authctl alone (bench/fleet.ts, ${f?.beds ?? '?'} test beds, --forks ${f?.forks ?? '?'})`
  const shortfall = f && f.requestedHosts > run.hosts ? [`${f.requestedHosts} hosts were asked for; only ${run.hosts} came up: ${f.bedFailure ?? '?'}`, ''] : []
  const extra = extrapolateAnsible(measured, run.hosts)
  const first = rows(run.results).find((r) => r.id === 'authctl-first')?.medianS
  const noChange = rows(run.results).find((r) => r.id === 'authctl-nochange')?.medianS
  const ex = extra.map((e) => {
    const base = e.id.includes('nochange') ? noChange : e.id.includes('first') ? first : undefined
    const vs = base === undefined ? '' : `authctl ~${(e.medianS / base).toFixed(0)}× faster`
    return `| ${e.label} | ${e.from.join('/')} | ~${e.medianS.toFixed(0)} | ${vs} |`
  })
  const exTable = ex.length === 0 ? [] : [
    `Ansible was not run at ${run.hosts} hosts. **Extrapolated** (least-squares line through its medians at the host counts shown; not a measurement):`,
    '', `| scenario | fitted through hosts | extrapolated s | compared |`, '|---|---|---:|---|', ...ex, '',
  ]
  return [head, '', ...shortfall, machineBlock(run), '', table(run), '', ...exTable]
}

// RESULTS.md from every saved run, plus the notes written by hand (kept in notes.md beside it).
export async function writeMarkdown(resultsDir: string, saved: readonly SavedRun[], phases: readonly PhasesRun[] = []): Promise<string> {
  const notes = await readFile(join(resultsDir, 'notes.md'), 'utf8').catch(() => '')
  const measured = saved.filter((r) => r.fleet === undefined)
  const fleet = saved.filter((r) => r.fleet !== undefined).at(-1)
  const parts = [
    '# authctl vs ansible-playbook',
    '',
    'Generated by `npm run bench -- --report` from bench/results/data (bench/bench.ts; playbooks bench/setup.yml and',
    'bench/restart.yml). Wall time is the whole process, start to exit; runs alternate authctl/Ansible, swapping the',
    'order every round. "compared": for authctl rows, how many times faster authctl is than the **best** Ansible row',
    'of the same scenario, and its multiple of the floor (one `ssh … sudo -n true` a host) or of `node -e \'\'`; for',
    'the other rows, authctl against that row. Remote commands are counted from the test-bed hosts\' command logs',
    '(sshd ForceCommand), busiest host.',
    '',
    '![wall time vs host count](wall-time.svg)',
    '',
    '## Targets (issue 11)',
    '',
    targetsTable(targetLines(measured, fleet)),
    '',
    ...[noChangeBreakdown(measured.find((r) => r.hosts === 10)), ''].filter((l) => l !== undefined),
    'Why a target is not met, and where the time goes: see "Findings" below.',
    '',
  ]
  for (const run of measured) {
    parts.push(`## ${run.hosts} host${run.hosts === 1 ? '' : 's'} (${run.runs} round${run.runs === 1 ? '' : 's'})`, '', machineBlock(run), '', table(run), '')
  }
  if (fleet) parts.push(...fleetSection(fleet, measured))
  for (const p of phases) parts.push(...phasesSection(p))
  if (notes) parts.push(notes.trim(), '')
  const text = parts.join('\n')
  await writeFile(join(resultsDir, 'RESULTS.md'), text)
  return text
}
