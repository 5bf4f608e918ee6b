// Runs the selected scenarios for a number of rounds, alternating the tools' order each round, and
// puts the hosts into the state each run needs first (untimed): wiped, or deployed by the same tool.
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { hostCommands, wipeHosts, type HostsState } from './bed-control.js'
import { renderForAnsible, writeAnsibleVars } from './ansible-inputs.js'
import { phasesOf } from './checks.js'
import { withMachineCpu } from './machine.js'
import { measure } from './proc.js'
import { roundOrder, SCENARIOS, type BenchContext, type Scenario } from './scenarios.js'

// One timed run.
export interface Sample {
  wallMs: number
  maxRssKb?: number
  cpuS?: number
  /** CPU seconds the whole machine was busy during the run (the hosts' sshd, sudo, docker stand-ins too) */
  machineCpuS?: number
  commandsPerHost?: number[]
  load1: number
  /** ms per phase from authctl's --json, when it reports them (checks.ts phasesOf) */
  phases?: Record<string, number>
}

// Every sample of one scenario, plus the runs that did not count and why.
export interface ScenarioResult {
  id: string
  label: string
  tool: Scenario['tool']
  versus?: string
  samples: Sample[]
  failures: string[]
  /** why the row could not run with the measured build (e.g. the command does not exist yet) */
  pending?: string
}

type Log = (line: string) => void

// Drives the rounds; the caller owns the bed and stops it.
export class Runner {
  private state: HostsState = 'fresh'
  private filesDir: string

  constructor(
    private readonly ctx: BenchContext,
    private readonly log: Log,
    private readonly signal: AbortSignal,
  ) {
    this.filesDir = join(dirname(ctx.varsFile), 'ansible-files')
  }

  async run(selected: readonly Scenario[], runs: number): Promise<ScenarioResult[]> {
    const results = new Map(selected.map((s) => [s.id, { id: s.id, label: s.label, tool: s.tool, versus: s.versus, samples: [], failures: [] } as ScenarioResult]))
    for (const s of selected) {
      const result = results.get(s.id) as ScenarioResult
      result.pending = s.pending?.(this.ctx)
      if (result.pending !== undefined) this.log(`  ${s.id}: ${result.pending}`)
    }
    const runnable = selected.filter((s) => results.get(s.id)?.pending === undefined)
    await renderForAnsible(this.ctx.bed.inventoryPath, this.filesDir, this.ctx.authctlEnv)
    for (let round = 0; round < runs; round++) {
      for (const scenario of roundOrder(runnable, round)) {
        this.signal.throwIfAborted()
        const result = results.get(scenario.id) as ScenarioResult
        await this.once(scenario, result, round)
      }
    }
    return [...results.values()]
  }

  private async once(s: Scenario, result: ScenarioResult, round: number): Promise<void> {
    if (s.needs && s.needs !== 'any') {
      const why = await this.ensure(s.needs)
      if (why) {
        result.failures.push(why)
        this.log(`  round ${round + 1} ${s.id}: FAILED before the timed run (${why.split('\n')[0] ?? ''})`)
        return
      }
    }
    const notReady = s.notReady?.(this.ctx)
    if (notReady !== undefined) {
      this.log(`  round ${round + 1} ${s.id}: skipped (${notReady})`)
      return
    }
    if (s.mintsForAnsible) await this.mint()
    if (s.needs) await this.ctx.bed.clearCommands()
    const cmd = s.command(this.ctx)
    const load1 = loadavg()[0] ?? 0
    const { result: m, machineCpuS } = await withMachineCpu(() => measure(cmd.file, cmd.args, { env: cmd.env, timeoutMs: s.timeoutMs(this.ctx.hosts), signal: this.signal }))
    const why = m.timedOut ? `timed out after ${s.timeoutMs(this.ctx.hosts)} ms` : s.invalid?.(m, this.ctx)
    if (why) {
      result.failures.push(why)
      if (s.leaves) this.state = 'unknown'
      this.log(`  round ${round + 1} ${s.id}: FAILED (${why.split('\n')[0] ?? ''})`)
      return
    }
    const commands = s.needs ? await hostCommands(this.ctx.bed) : undefined
    const counts = commands ? [...commands.values()].map((c) => c.length) : undefined
    if (commands) await s.record?.(this.ctx, commands)
    const cpuS = m.userS !== undefined && m.sysS !== undefined ? m.userS + m.sysS : undefined
    const phases = s.tool === 'authctl' ? phasesOf(m.stdout) : undefined
    result.samples.push({ wallMs: m.wallMs, maxRssKb: m.maxRssKb, cpuS, machineCpuS, commandsPerHost: counts, load1, ...(phases ? { phases } : {}) })
    if (s.leaves) this.state = s.leaves
    const extra = counts ? ` commands/host=${Math.max(...counts)}` : ''
    this.log(`  round ${round + 1} ${s.id}: ${(m.wallMs / 1000).toFixed(2)} s, rss ${m.maxRssKb ?? '?'} KiB${extra} (load ${load1.toFixed(1)})`)
  }

  // Puts the hosts into the wanted state; a deployment made for that purpose is not timed (Ansible
  // deploys with 10 forks: more overrun its 12 s become timeout on a loaded 2-core machine).
  // Returns why it could not, so only the rows that needed it fail.
  private async ensure(want: HostsState): Promise<string | undefined> {
    if (this.state === want) return undefined
    await wipeHosts(this.ctx.bed)
    this.state = 'fresh'
    if (want === 'fresh') return undefined
    const deployer = SCENARIOS.find((s) => s.id === (want === 'authctl' ? 'authctl-first' : 'ansible-first-f5')) as Scenario
    if (want === 'ansible') await this.mint()
    const cmd = deployer.command(this.ctx)
    const args = want === 'ansible' ? cmd.args.map((a, i) => (cmd.args[i - 1] === '-f' ? String(Math.min(10, Math.max(5, this.ctx.hosts))) : a)) : cmd.args
    this.log(`  (untimed: deploying with ${want} first)`)
    const m = await measure(cmd.file, args, { env: cmd.env, timeoutMs: deployer.timeoutMs(this.ctx.hosts), signal: this.signal })
    const why = m.timedOut ? 'timed out' : deployer.invalid?.(m, this.ctx)
    if (why) return `could not deploy with ${want} (untimed) first: ${why}`
    this.state = want
    return undefined
  }

  private async mint(): Promise<void> {
    const { bed } = this.ctx
    const hosts = await renderForAnsible(bed.inventoryPath, this.filesDir, this.ctx.authctlEnv)
    await writeAnsibleVars(hosts, this.filesDir, this.ctx.varsFile, { addr: bed.vault?.addr ?? '', token: bed.vault?.operatorToken ?? '' })
  }
}
