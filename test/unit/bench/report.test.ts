// The bench's arithmetic and wording: best-Ansible ratios, yardsticks, pending rows, targets,
// extrapolation and the chart's extrapolated markers, from hand-made saved runs.
import { describe, expect, it } from 'vitest'
import { wallTimeSvg } from '../../../bench/lib/chart.js'
import { extrapolateAnsible, linearFit } from '../../../bench/lib/extrapolate.js'
import type { MachineInfo } from '../../../bench/lib/machine.js'
import { table, type SavedRun } from '../../../bench/lib/report.js'
import type { ScenarioResult } from '../../../bench/lib/runner.js'
import { rows } from '../../../bench/lib/stats.js'
import { noChangeBreakdown, targetLines } from '../../../bench/lib/targets.js'

const machine: MachineInfo = { cpuModel: 'cpu', cores: 2, memGiB: 1, kernel: 'k', node: 'v20', ansible: 'a', openssh: 'o', uptimeAtStart: 'load 1' }

// One result with one sample per wall time (seconds); host rows get command counts.
function result(id: string, tool: ScenarioResult['tool'], walls: number[], extra: Partial<ScenarioResult> & { cmds?: number; rssMiB?: number } = {}): ScenarioResult {
  const { cmds, rssMiB, ...rest } = extra
  return {
    id, label: id, tool, failures: [],
    samples: walls.map((s) => ({ wallMs: s * 1000, load1: 1, ...(cmds === undefined ? {} : { commandsPerHost: [cmds, cmds] }), ...(rssMiB === undefined ? {} : { maxRssKb: rssMiB * 1024 }) })),
    ...rest,
  }
}

const run = (hosts: number, results: ScenarioResult[], fleet?: SavedRun['fleet']): SavedRun => ({ hosts, runs: 1, date: 'd', machine, results, ...(fleet ? { fleet } : {}) })

const tenHosts = run(10, [
  result('authctl-first', 'authctl', [2, 3, 4], { cmds: 3 }),
  result('authctl-nochange', 'authctl', [1], { cmds: 1 }),
  result('floor', 'floor', [0.8], { versus: 'authctl-nochange', cmds: 1 }),
  result('authctl-restart-all', 'authctl', [], { pending: 'pending (authctl restart not built)' }),
  result('ansible-first-f5', 'ansible', [60], { versus: 'authctl-first', cmds: 100 }),
  result('ansible-tuned-first', 'ansible', [24], { versus: 'authctl-first', cmds: 40 }),
  result('ansible-nochange-f5', 'ansible', [50], { versus: 'authctl-nochange', cmds: 90 }),
  result('ansible-tuned-nochange', 'ansible', [15], { versus: 'authctl-nochange', cmds: 30 }),
  result('authctl-help', 'authctl', [0.1]),
  result('node-empty', 'baseline', [0.08], { versus: 'authctl-help' }),
])

describe('rows', () => {
  it('compares each authctl row with the fastest Ansible row of its scenario and with its yardstick', () => {
    const byId = new Map(rows(tenHosts.results).map((r) => [r.id, r]))
    expect(byId.get('authctl-first')?.best).toEqual({ id: 'ansible-tuned-first', label: 'ansible-tuned-first', medianS: 24, speedup: 8 })
    expect(byId.get('authctl-nochange')?.best?.id).toBe('ansible-tuned-nochange')
    expect(byId.get('authctl-nochange')?.yardsticks?.map((y) => [y.id, y.multiple])).toEqual([['floor', 1.25]])
    expect(byId.get('authctl-help')?.yardsticks?.[0]?.multiple).toBeCloseTo(1.25)
    expect(byId.get('ansible-first-f5')?.ratio).toBeCloseTo(3 / 60)
    expect(byId.get('authctl-restart-all')?.pending).toBe('pending (authctl restart not built)')
  })
})

describe('table', () => {
  it('prints a pending row as pending and marks the best Ansible row', () => {
    const text = table(tenHosts)
    expect(text).toContain('| authctl-restart-all | 0 | pending (authctl restart not built) |')
    expect(text).toContain('| ansible-tuned-first | 1 | 24.00 | 24.00–24.00 | authctl 8.00× faster ← best Ansible |')
    expect(text).toContain('**8.00× faster** than the best Ansible row (ansible-tuned-first)')
    expect(text).toContain('| floor | 1 | 0.80 | 0.80–0.80 | authctl = 1.25× this |')
  })

  it("shows the median of the whole machine's busy CPU seconds and of the phases authctl's --json reported", () => {
    const withCpu = result('authctl-first', 'authctl', [2, 3, 4], { cmds: 3 })
    withCpu.samples = withCpu.samples.map((x, i) => ({ ...x, cpuS: 0.3, machineCpuS: [5, 4, 6][i], phases: { write: [700, 600, 800][i] as number } }))
    const text = table(run(10, [withCpu]))
    expect(text).toContain('| authctl-first | 3 | 3.00 | 2.00–4.00 |  | 3 | – | 0.30 | 5.00 |')
    expect(text).toContain('Phases of "authctl-first" (median ms): write 700')
  })
})

describe('table with rows kept by --merge', () => {
  it('marks them and compares nothing with them', () => {
    const text = table({ ...tenHosts, keptFrom: { 'ansible-tuned-first': 'earlier' } })
    expect(text).toContain('| ansible-tuned-first † | 1 | 24.00 | 24.00–24.00 |  |')
    expect(text).toContain('**20.0× faster** than the best Ansible row (ansible-first-f5)')
    expect(text).toContain('† kept from the run of earlier (--merge): not measured in this run, so not compared with it.')
  })
})

describe('targetLines', () => {
  it('judges each target of issue 11 from the 10-host run and the fleet run', () => {
    const fleet = run(150, [result('authctl-nochange', 'authctl', [30], { cmds: 1, rssMiB: 180 })], { requestedHosts: 200, beds: 3, forks: 10, bedFailure: 'bed 4 did not start' })
    const lines = targetLines([tenHosts], fleet)
    expect(lines.map((l) => l.met)).toEqual(['no', 'yes', 'yes', 'yes', 'not measured', 'yes'])
    expect(lines[0]?.measured).toBe('15.0× (1.00 s vs 15.00 s, tuned Ansible)')
    expect(lines[4]?.measured).toBe('189 MB (180 MiB) at 150 hosts (200 could not be brought up: bed 4 did not start)')
  })

  it('says not measured when a row is missing or pending', () => {
    const lines = targetLines([run(10, [result('authctl-first', 'authctl', [], { pending: 'pending (x)' })])], undefined)
    expect(lines.every((l) => l.met === 'not measured')).toBe(true)
    expect(lines[2]?.measured).toBe('pending (x)')
  })
})

describe('extrapolation', () => {
  it('fits a least-squares line', () => {
    expect(linearFit([{ x: 1, y: 3 }, { x: 10, y: 21 }, { x: 50, y: 101 }])).toEqual({ a: 1, b: 2 })
    expect(linearFit([{ x: 10, y: 1 }])).toBeUndefined()
  })

  it('extends only Ansible host rows measured at two or more host counts', () => {
    const one = run(1, [result('ansible-tuned-first', 'ansible', [3], { versus: 'authctl-first', cmds: 40 }), result('ansible-help', 'ansible', [0.5], { versus: 'authctl-help' })])
    const ten = run(10, [result('ansible-tuned-first', 'ansible', [21], { versus: 'authctl-first', cmds: 40 }), result('ansible-help', 'ansible', [0.5], { versus: 'authctl-help' })])
    const out = extrapolateAnsible([one, ten], 200)
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ id: 'ansible-tuned-first', hosts: 200, from: [1, 10] })
    expect(out[0]?.medianS).toBeCloseTo(401)
  })

  it('draws extrapolated points hollow, and none without a fleet run', () => {
    const one = run(1, [result('authctl-first', 'authctl', [1], { cmds: 3 }), result('ansible-tuned-first', 'ansible', [3], { versus: 'authctl-first', cmds: 40 })])
    const fleet = run(200, [result('authctl-first', 'authctl', [40], { cmds: 3 })], { requestedHosts: 200, beds: 4, forks: 10 })
    expect(wallTimeSvg([one, tenHosts])).not.toContain('EXTRAPOLATED')
    expect(wallTimeSvg([one, tenHosts, fleet])).toContain('ansible-tuned-first: 200 hosts, ~')
  })
})

describe('noChangeBreakdown', () => {
  it('splits the no-change time into the floor, the remote commands beyond it and the local side', () => {
    const withReplay = run(10, [...tenHosts.results, result('replay', 'probe', [0.9], { versus: 'authctl-nochange', cmds: 2 })])
    const text = noChangeBreakdown(withReplay)?.replace(/\n/g, ' ')
    expect(text).toContain('spends its 1.00 s at 10 hosts')
    expect(text).toContain('0.80 s is the floor')
    expect(text).toContain('take 0.90 s, i.e. 0.10 s of work on the hosts beyond the floor')
    expect(text).toContain('authctl takes 0.10 s more than that replay')
    expect(noChangeBreakdown(tenHosts)).toBeUndefined()
    const slowReplay = run(10, [...tenHosts.results, result('replay', 'probe', [1.5], { versus: 'authctl-nochange', cmds: 1 })])
    expect(noChangeBreakdown(slowReplay)?.replace(/\n/g, ' ')).toContain('authctl as a whole is 0.50 s faster than that replay')
  })
})
