// The step-by-step timings of bench/phases.ts (results/data/phases-N.json) as a Markdown section.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MachineInfo } from './machine.js'

// One saved bench/phases.ts run.
export interface PhasesRun {
  hosts: number
  rounds: number
  date: string
  machine: MachineInfo
  steps: { id: string; label: string; medianS: number; samplesS: number[] }[]
}

// Every saved phases run, fewest hosts first.
export async function loadPhases(dataDir: string): Promise<PhasesRun[]> {
  const names = (await readdir(dataDir).catch(() => [] as string[])).filter((n) => /^phases-\d+\.json$/.test(n))
  const runs = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dataDir, n), 'utf8')) as PhasesRun))
  return runs.sort((a, b) => a.hosts - b.hosts)
}

// The section: each step's median with all hosts at once, and as a multiple of the floor.
export function phasesSection(run: PhasesRun): string[] {
  const floor = run.steps.find((s) => s.id === 'floor')?.medianS
  const m = run.machine
  return [
    `## Where the time goes, step by step (bench/phases.ts, ${run.hosts} hosts, ${run.rounds} rounds)`,
    '',
    `Measured ${run.date}; load \`${m.uptimeAtStart}\` at the start, \`${m.uptimeAtEnd ?? '?'}\` at the end. Remote steps run on every`,
    'host at once over OpenSSH, one session a host, on a bed deployed by authctl; local steps run the built CLI.',
    '',
    '| step | median s | × the floor | all samples s |',
    '|---|---:|---:|---|',
    ...run.steps.map((s) => `| ${s.label} | ${s.medianS.toFixed(2)} | ${floor && !['node-empty', 'authctl-inventory'].includes(s.id) ? (s.medianS / floor).toFixed(2) : ''} | ${s.samplesS.map((v) => v.toFixed(2)).join(', ')} |`),
    '',
  ]
}
