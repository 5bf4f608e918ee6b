// `npm run bench -- --hosts 10 [--runs 3] [--scenarios a,b] [--cold-runs 5]`: authctl against
// ansible-playbook on the same test-bed hosts and Vault test server. Prints the table, saves the
// samples to bench/results/data/hosts-N.json and rewrites bench/results/RESULTS.md and wall-time.svg
// from every saved host count. `--report-only` just rewrites those two from the saved data.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startTestbed, type Testbed } from '../test/support/testbed/index.js'
import { wallTimeSvg } from './lib/chart.js'
import { machineInfo, uptimeLine } from './lib/machine.js'
import { hasGnuTime } from './lib/proc.js'
import { loadSaved, table, writeMarkdown, type SavedRun } from './lib/report.js'
import { Runner, type ScenarioResult } from './lib/runner.js'
import { PLAYBOOK, SCENARIOS, type BenchContext } from './lib/scenarios.js'
import { snapshotCli } from './lib/snapshot.js'

// Ctrl-C or SIGTERM: kill the running child, skip the rest, and still stop the bed (finally below).
const interrupted = new AbortController()
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => interrupted.abort(new Error(`interrupted by ${sig}`)))

const RESULTS = join(import.meta.dirname, 'results')
const DATA = join(RESULTS, 'data')

const USAGE = `usage: npm run bench -- --hosts N [--runs R] [--cold-runs C] [--scenarios id,id] [--no-save]
       npm run bench -- --report-only
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string' }, runs: { type: 'string', default: '3' }, 'cold-runs': { type: 'string', default: '5' },
      scenarios: { type: 'string' }, 'no-save': { type: 'boolean' }, 'report-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (values['report-only']) {
    await writeReport()
    return 0
  }
  const hosts = Number(values.hosts)
  const runs = Number(values.runs)
  const coldRuns = Number(values['cold-runs'])
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 50 || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(coldRuns) || coldRuns < 0) {
    console.error(USAGE)
    return 5
  }
  const wanted = values.scenarios?.split(',').map((x) => x.trim())
  const unknown = wanted?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? []
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}\n${USAGE}`)
    return 5
  }
  if (!hasGnuTime()) console.error('note: /usr/bin/time is missing (apt-get install time); peak RSS will not be measured')
  const selected = SCENARIOS.filter((s) => (wanted ? wanted.includes(s.id) : true) && !s.skip?.(hosts))
  const machine = machineInfo()
  console.log(`bench: ${hosts} host(s), ${runs} round(s), cold starts ${coldRuns}×; ${machine.uptimeAtStart}`)
  const results = await benchmark(hosts, runs, coldRuns, selected)
  machine.uptimeAtEnd = uptimeLine()
  const saved: SavedRun = { hosts, runs, date: new Date().toISOString(), machine, results }
  console.log(`\n${table(saved)}\n`)
  if (!values['no-save']) {
    await mkdir(DATA, { recursive: true })
    await writeFile(join(DATA, `hosts-${hosts}.json`), JSON.stringify(saved, null, 2) + '\n')
    await writeReport()
    console.log(`wrote ${join(RESULTS, 'RESULTS.md')} and wall-time.svg`)
  }
  return results.some((r) => r.failures.length > 0) ? 1 : 0
}

// Host scenarios run `runs` rounds; cold starts (no hosts involved) run `coldRuns` rounds.
async function benchmark(hosts: number, runs: number, coldRuns: number, selected: typeof SCENARIOS): Promise<ScenarioResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'authctl-bench-'))
  const cli = await snapshotCli(repoRoot)
  let bed: Testbed | undefined
  try {
    bed = await startTestbed({ hosts })
    if (!bed.vault) throw new Error('the test bed started without Vault')
    const home = join(work, 'home')
    await mkdir(home, { recursive: true })
    const base = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' }
    const ctx: BenchContext = {
      bed, hosts, runJs: cli.runJs, playbook: PLAYBOOK, varsFile: join(work, 'ansible-vars.json'),
      authctlEnv: { ...base, VAULT_ADDR: bed.vault.addr, VAULT_TOKEN: bed.vault.operatorToken },
      // strict host keys as the inventory asks; ControlMaster/ControlPersist as Ansible ships them
      ansibleEnv: { ...base, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_NOCOLOR: '1' },
    }
    const runner = new Runner(ctx, (line) => console.log(line), interrupted.signal)
    const onHosts = selected.filter((s) => s.needs !== undefined)
    const cold = selected.filter((s) => s.needs === undefined)
    const a = onHosts.length > 0 ? await runner.run(onHosts, runs) : []
    const b = cold.length > 0 && coldRuns > 0 ? await runner.run(cold, coldRuns) : []
    return [...a, ...b]
  } finally {
    await bed?.stop().catch((error: unknown) => console.error(`stopping the test bed failed: ${String(error)}`))
    await cli.remove()
    await rm(work, { recursive: true, force: true })
  }
}

async function writeReport(): Promise<void> {
  const saved = await loadSaved(DATA)
  await mkdir(RESULTS, { recursive: true })
  await writeMarkdown(RESULTS, saved)
  await writeFile(join(RESULTS, 'wall-time.svg'), wallTimeSvg(saved))
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  return 1
})
