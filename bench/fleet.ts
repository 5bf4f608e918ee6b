// `npx tsx bench/fleet.ts --hosts 200 [--forks 10] [--per-bed 50]`: authctl alone on more hosts than one test bed holds (50):
// several beds in their own address slots, one merged inventory and known_hosts, the first bed's
// Vault for all. Measures a first run and a no-change run (wall time, peak RSS and CPU seconds of
// the authctl process, remote commands per host), saves results/data/fleet-N.json and rewrites
// RESULTS.md and the chart, where Ansible is extrapolated from its 1/10/50-host runs. When a bed
// cannot come up, it measures the hosts that did and records why the rest did not.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startTestbed, type Testbed } from '../test/support/testbed/index.js'
import { buildCli } from './lib/build.js'
import { authctlNoChange, exitZero, phasesOf } from './lib/checks.js'
import { machineInfo, uptimeLine, withMachineCpu } from './lib/machine.js'
import { measure } from './lib/proc.js'
import { table, type SavedRun } from './lib/report.js'
import type { ScenarioResult } from './lib/runner.js'
import { SCENARIOS } from './lib/scenarios.js'
import { snapshotCli } from './lib/snapshot.js'
import { DATA_DIR, RESULTS_DIR, writeReport } from './lib/write-report.js'

const PER_BED = 50

// Renames each bed's hostN to b<bed>-hostN and keeps one [authentik:vars] block (the first bed's Vault).
async function mergedInventory(beds: readonly Testbed[], dir: string): Promise<{ inventory: string; knownHosts: string }> {
  const hostLines: string[] = []
  let vars: string[] = []
  for (const [b, bed] of beds.entries()) {
    const text = await readFile(bed.inventoryPath, 'utf8')
    const [hostsPart = '', varsPart = ''] = text.split('[authentik:vars]')
    for (const line of hostsPart.split('\n').filter((l) => /^host\d+ /.test(l))) hostLines.push(`b${b + 1}-${line}`)
    if (b === 0) vars = varsPart.split('\n').filter((l) => l.trim() !== '')
  }
  const knownHosts = join(dir, 'known_hosts')
  await writeFile(knownHosts, (await Promise.all(beds.map((bed) => readFile(bed.knownHostsPath, 'utf8')))).join(''))
  const inventory = join(dir, 'inventory.ini')
  await writeFile(inventory, ['[authentik]', ...hostLines, '', '[authentik:vars]', ...vars, ''].join('\n'))
  return { inventory, knownHosts }
}

// Beds of up to `perBed` hosts until `total`. A bed start makes two host keys a host at once
// (ssh-keygen, 30 s timeout each), which a loaded machine can overrun: each bed gets a second try,
// and a bed that fails twice ends the climb (recorded, not thrown).
async function startBeds(total: number, perBed: number, beds: Testbed[]): Promise<string | undefined> {
  for (let left = total; left > 0; left -= perBed) {
    const hosts = Math.min(perBed, left)
    for (let attempt = 1; ; attempt++) {
      const started = performance.now()
      try {
        beds.push(await startTestbed({ hosts, vault: beds.length === 0 }))
        console.log(`bed ${beds.length}: ${hosts} hosts in slot ${beds.at(-1)?.slot} (${((performance.now() - started) / 1000).toFixed(1)} s, load ${loadavg()[0]?.toFixed(1)})`)
        break
      } catch (error) {
        const why = `bed ${beds.length + 1} (${hosts} hosts) did not start (try ${attempt}, load ${loadavg()[0]?.toFixed(1)}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
        console.log(why)
        if (attempt < 2) continue
        if (beds.length === 0) throw error
        return why.slice(0, 400)
      }
    }
  }
  return undefined
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { hosts: { type: 'string', default: '200' }, forks: { type: 'string', default: '10' }, 'per-bed': { type: 'string', default: String(PER_BED) }, 'no-build': { type: 'boolean' }, 'no-save': { type: 'boolean' } },
  })
  const total = Number(values.hosts)
  const forks = Number(values.forks)
  const perBed = Number(values['per-bed'])
  if (!Number.isInteger(perBed) || perBed < 1 || perBed > PER_BED) throw new Error(`--per-bed must be 1..${PER_BED}`)
  if (!Number.isInteger(total) || total < 1 || total > 16 * perBed || !Number.isInteger(forks) || forks < 1) throw new Error(`--hosts must be 1..${16 * perBed} and --forks a positive integer`)
  if (!values['no-build']) buildCli(repoRoot)
  const machine = machineInfo()
  console.log(`fleet: ${total} hosts asked for, --forks ${forks}; ${machine.uptimeAtStart}`)
  const work = await mkdtemp(join(tmpdir(), 'authctl-fleet-'))
  const cli = await snapshotCli(repoRoot)
  const beds: Testbed[] = []
  const results: ScenarioResult[] = []
  try {
    const bedFailure = await startBeds(total, perBed, beds)
    const hosts = beds.reduce((n, b) => n + b.hosts.length, 0)
    const first = beds[0] as Testbed
    const { inventory, knownHosts } = await mergedInventory(beds, work)
    await mkdir(join(work, 'home'))
    const env = { PATH: process.env.PATH, HOME: join(work, 'home'), VAULT_ADDR: first.vault?.addr, VAULT_TOKEN: first.vault?.operatorToken, NO_COLOR: '1', LANG: 'C.UTF-8' }
    const args = [cli.runJs, 'setup', '-i', inventory, '--known-hosts', knownHosts, '--json', '--forks', String(forks)]
    for (const [id, invalid] of [['authctl-first', exitZero], ['authctl-nochange', authctlNoChange]] as const) {
      const scenario = SCENARIOS.find((s) => s.id === id)
      const result: ScenarioResult = { id, label: scenario?.label ?? id, tool: 'authctl', samples: [], failures: [] }
      results.push(result)
      await Promise.all(beds.map((b) => b.clearCommands()))
      const load1 = loadavg()[0] ?? 0
      const { result: m, machineCpuS } = await withMachineCpu(() => measure(process.execPath, args, { env, timeoutMs: 30 * 60_000 }))
      const counts = await Promise.all(beds.flatMap((b) => b.hosts.map(async (h) => (await b.commands(h.name)).length)))
      const why = m.timedOut ? 'timed out after 30 min' : invalid(m)
      const cpuS = m.userS !== undefined && m.sysS !== undefined ? m.userS + m.sysS : undefined
      if (why) result.failures.push(why)
      else result.samples.push({ wallMs: m.wallMs, maxRssKb: m.maxRssKb, cpuS, machineCpuS, commandsPerHost: counts, load1, ...(phasesOf(m.stdout) ? { phases: phasesOf(m.stdout) } : {}) })
      console.log(`${hosts} hosts, ${id}: ${why ? `FAILED (${why.slice(0, 300)})` : 'ok'}, ${(m.wallMs / 1000).toFixed(1)} s, peak RSS ${((m.maxRssKb ?? 0) / 1024).toFixed(0)} MiB, CPU ${cpuS?.toFixed(1) ?? '?'} s, commands/host max ${Math.max(...counts)} (load ${load1.toFixed(1)})`)
    }
    machine.uptimeAtEnd = uptimeLine()
    const saved: SavedRun = { hosts, runs: 1, date: new Date().toISOString(), machine, results, fleet: { requestedHosts: total, beds: beds.length, forks, ...(bedFailure ? { bedFailure } : {}) } }
    console.log(`\n${table(saved)}\n`)
    if (!values['no-save']) {
      await mkdir(DATA_DIR, { recursive: true })
      await writeFile(join(DATA_DIR, `fleet-${hosts}.json`), JSON.stringify(saved, null, 2) + '\n')
      await writeReport()
      console.log(`wrote ${join(RESULTS_DIR, 'RESULTS.md')} and wall-time.svg`)
    }
  } finally {
    for (const bed of beds.reverse()) await bed.stop().catch((error: unknown) => console.error(`stopping a bed failed: ${String(error)}`))
    await cli.remove()
    await rm(work, { recursive: true, force: true })
  }
  return results.some((r) => r.failures.length > 0) ? 1 : 0
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  return 1
})
