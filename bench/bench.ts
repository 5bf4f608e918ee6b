// `npm run bench -- --hosts 10 [--runs 3] [--scenarios a,b] [--cold-runs 5] [--merge]`: authctl
// against ansible-playbook (as shipped and tuned) and the floor on the same test-bed hosts and Vault
// test server. Builds the CLI first, prints the table, saves the samples to
// bench/results/data/hosts-N.json and rewrites bench/results/RESULTS.md and wall-time.svg from every
// saved run. `--report` just rewrites those two from the saved data.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startTestbed, type Testbed } from '../test/support/testbed/index.js'
import { tunedAnsibleCfg, tunedForks } from './lib/ansible-config.js'
import { buildCli, commandHelp } from './lib/build.js'
import { writeFloorHosts } from './lib/floor.js'
import { machineInfo, uptimeLine } from './lib/machine.js'
import { hasGnuTime } from './lib/proc.js'
import { table, type SavedRun } from './lib/report.js'
import { Runner, type ScenarioResult } from './lib/runner.js'
import { PLAYBOOK, RESTART_PLAYBOOK, SCENARIOS, type BenchContext } from './lib/scenarios.js'
import { snapshotCli } from './lib/snapshot.js'
import { DATA_DIR, RESULTS_DIR, writeReport } from './lib/write-report.js'

// Ctrl-C or SIGTERM: kill the running child, skip the rest, and still stop the bed (finally below).
const interrupted = new AbortController()
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => interrupted.abort(new Error(`interrupted by ${sig}`)))


const USAGE = `usage: npm run bench -- --hosts N [--runs R] [--cold-runs C] [--scenarios id,id] [--merge] [--no-save] [--no-build]
       npm run bench -- --report      rewrite RESULTS.md and wall-time.svg from results/data
  --merge     keep the saved rows of results/data/hosts-N.json that this run does not measure (marked †)
  --no-build  measure dist/ as it is instead of running npm run build first
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string' }, runs: { type: 'string', default: '3' }, 'cold-runs': { type: 'string', default: '15' },
      scenarios: { type: 'string' }, 'no-save': { type: 'boolean' }, merge: { type: 'boolean' }, 'no-build': { type: 'boolean' },
      report: { type: 'boolean' }, 'report-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (values.report || values['report-only']) {
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
  if (!values['no-build']) {
    console.log('building the CLI (npm run build) …')
    buildCli(repoRoot)
  }
  const machine = machineInfo()
  console.log(`bench: ${hosts} host(s), ${runs} round(s), cold starts ${coldRuns}×; ${machine.uptimeAtStart}`)
  const results = await benchmark(hosts, runs, coldRuns, selected)
  machine.uptimeAtEnd = uptimeLine()
  const file = join(DATA_DIR, `hosts-${hosts}.json`)
  const saved = await merged({ hosts, runs, date: new Date().toISOString(), machine, results }, values.merge ? file : undefined)
  console.log(`\n${table(saved)}\n`)
  if (!values['no-save']) {
    await mkdir(DATA_DIR, { recursive: true })
    await writeFile(file, JSON.stringify(saved, null, 2) + '\n')
    await writeReport()
    console.log(`wrote ${join(RESULTS_DIR, 'RESULTS.md')} and wall-time.svg`)
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
    const tunedCfg = join(work, 'ansible-tuned.cfg')
    await mkdir(join(work, 'cp'), { mode: 0o700 })
    await writeFile(tunedCfg, tunedAnsibleCfg(tunedForks(hosts), join(work, 'cp')))
    const floorHostsFile = join(work, 'floor-hosts.txt')
    await writeFloorHosts(bed, floorHostsFile)
    const authctlEnv = { ...base, VAULT_ADDR: bed.vault.addr, VAULT_TOKEN: bed.vault.operatorToken }
    const ctx: BenchContext = {
      bed, hosts, runJs: cli.runJs, playbook: PLAYBOOK, restartPlaybook: RESTART_PLAYBOOK, varsFile: join(work, 'ansible-vars.json'),
      authctlEnv, floorHostsFile, replayFile: join(work, 'replay.sh'),
      // strict host keys as the inventory asks; ControlMaster/ControlPersist as Ansible ships them
      ansibleEnv: { ...base, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_NOCOLOR: '1' },
      tunedAnsibleEnv: { ...base, ANSIBLE_CONFIG: tunedCfg },
      restartHelp: commandHelp(cli.runJs, 'restart', authctlEnv),
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

// With --merge: the Ansible host rows of the saved run at this host count that this run did not
// measure, kept and marked with the date they were measured (authctl rows are not kept: they measured
// an older build; cold starts do not depend on the host count).
async function merged(run: SavedRun, file: string | undefined): Promise<SavedRun> {
  if (!file) return run
  const old = await readFile(file, 'utf8').then((t) => JSON.parse(t) as SavedRun, () => undefined)
  if (!old) return run
  const measured = new Set(run.results.filter((r) => r.samples.length > 0 || r.pending === undefined).map((r) => r.id))
  const kept = old.results.filter((r) => !measured.has(r.id) && r.tool === 'ansible' && r.samples.some((x) => x.commandsPerHost !== undefined))
  const keptFrom = Object.fromEntries(kept.map((r) => [r.id, old.keptFrom?.[r.id] ?? old.date]))
  const order = (id: string) => (SCENARIOS.findIndex((s) => s.id === id) + SCENARIOS.length + 1) % (SCENARIOS.length + 1)
  const results = [...run.results.filter((r) => measured.has(r.id) || !kept.some((k) => k.id === r.id)), ...kept]
  return { ...run, results: results.sort((a, b) => order(a.id) - order(b.id)), keptFrom }
}


process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  return 1
})
