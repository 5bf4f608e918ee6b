// `npx tsx bench/phases.ts --hosts 10 [--rounds 3]`: what each remote step costs on its own, beside
// the per-phase timings authctl's --json reports. On a bed deployed by authctl, each remote step runs
// on every host at once over OpenSSH (lib/replay.ts's script: one session a host), so each is
// comparable with the floor; the local side is timed from the built CLI. Saves
// results/data/phases-N.json, which the report shows as a table.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startTestbed } from '../test/support/testbed/index.js'
import { renderForAnsible } from './lib/ansible-inputs.js'
import { hostCommands } from './lib/bed-control.js'
import { buildCli } from './lib/build.js'
import { machineInfo, uptimeLine } from './lib/machine.js'
import { measure } from './lib/proc.js'
import { writeReplay } from './lib/replay.js'
import { snapshotCli } from './lib/snapshot.js'
import { median } from './lib/stats.js'
import { DATA_DIR, writeReport } from './lib/write-report.js'
import type { PhasesRun } from './lib/phases-report.js'

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { hosts: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, 'no-build': { type: 'boolean' } } })
  const hosts = Number(values.hosts)
  const rounds = Number(values.rounds)
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 50 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--hosts 1..50, --rounds ≥ 1')
  if (!values['no-build']) buildCli(repoRoot)
  const machine = machineInfo()
  const work = await mkdtemp(join(tmpdir(), 'authctl-phases-'))
  const cli = await snapshotCli(repoRoot)
  const bed = await startTestbed({ hosts })
  try {
    await mkdir(join(work, 'home'))
    const env = { PATH: process.env.PATH, HOME: join(work, 'home'), VAULT_ADDR: bed.vault?.addr, VAULT_TOKEN: bed.vault?.operatorToken, NO_COLOR: '1', LANG: 'C.UTF-8' }
    const setup = () => measure(process.execPath, [cli.runJs, 'setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--json'], { env, timeoutMs: 600_000 })
    if ((await setup()).code !== 0) throw new Error('authctl setup (untimed deployment) failed')
    await bed.clearCommands()
    if ((await setup()).code !== 0) throw new Error('authctl setup (no-change) failed')
    const recorded = await hostCommands(bed)
    const [first] = await renderForAnsible(bed.inventoryPath, join(work, 'files'), env)
    if (!first) throw new Error('no hosts')
    const compose = `sudo -n docker compose -f ${first.root}/docker-compose.yml -p ${first.project}`
    if ([...recorded.values()].some((cmds) => cmds.length !== 1)) throw new Error('a no-change run is expected to send exactly one command a host (the state read)')
    const same = (cmd: string) => new Map(bed.hosts.map((h) => [h.name, [cmd]]))
    const steps: { id: string; label: string; commands?: Map<string, string[]>; before?: Map<string, string[]>; local?: string[] }[] = [
      { id: 'floor', label: 'sudo -n true (the floor)', commands: same('sudo -n true') },
      { id: 'state-read', label: 'authctl\'s state read (a no-change run\'s only command; the replay row)', commands: recorded },
      { id: 'docker-ps', label: '`docker compose ps -a --format json` (in the state read of a deployed host)', commands: same(`${compose} ps -a --format json`) },
      { id: 'compose-version', label: '`docker compose version --short` (in the state read of a fresh host: the preflight)', commands: same('sudo -n docker compose version --short') },
      { id: 'exec-check', label: '`docker compose exec` of the .env and tmpfs check (the end of every converge)', commands: same(`${compose} exec -T vault-agent sh -c 'stat -f -c %T /vault/secrets && test -s /vault/secrets/.env'`) },
      { id: 'up-running', label: '`docker compose up -d --wait` on a running stack (Ansible\'s last task)', commands: same(`${compose} up -d --wait`) },
      { id: 'restart', label: '`docker compose restart` (restart.yml\'s first task)', commands: same(`${compose} restart`) },
      { id: 'up-stopped', label: '`docker compose up -d --wait` after `down` (a first run\'s converge, Vault Agent login included)', before: same(`${compose} down`), commands: same(`${compose} up -d --wait`) },
      { id: 'node-empty', label: "node -e '' (local)", local: [process.execPath, '-e', ''] },
      { id: 'authctl-inventory', label: '`authctl inventory --list` (local: Node, oclif, inventory)', local: [process.execPath, cli.runJs, 'inventory', '--list', '-i', bed.inventoryPath] },
    ]
    const samples = new Map<string, number[]>(steps.map((s) => [s.id, []]))
    for (let round = 0; round < rounds; round++) {
      for (const s of steps) {
        if (s.before) {
          await writeReplay(bed, s.before, join(work, 'before.sh'))
          await measure('sh', [join(work, 'before.sh')], { env, timeoutMs: 300_000 })
        }
        let m
        if (s.local) m = await measure(s.local[0] as string, s.local.slice(1), { env, timeoutMs: 60_000 })
        else {
          await writeReplay(bed, s.commands ?? new Map(), join(work, 'step.sh'))
          m = await measure('sh', [join(work, 'step.sh')], { env, timeoutMs: 300_000 })
        }
        if (m.code !== 0) throw new Error(`${s.id} failed (exit ${String(m.code)}): ${m.stderr.slice(-500)}`)
        samples.get(s.id)?.push(m.wallMs / 1000)
        console.log(`round ${round + 1} ${s.id}: ${(m.wallMs / 1000).toFixed(2)} s`)
      }
    }
    machine.uptimeAtEnd = uptimeLine()
    const saved: PhasesRun = { hosts, rounds, date: new Date().toISOString(), machine, steps: steps.map((s) => ({ id: s.id, label: s.label, medianS: median(samples.get(s.id) ?? [0]), samplesS: samples.get(s.id) ?? [] })) }
    await mkdir(DATA_DIR, { recursive: true })
    await writeFile(join(DATA_DIR, `phases-${hosts}.json`), JSON.stringify(saved, null, 2) + '\n')
    await writeReport()
    for (const s of saved.steps) console.log(`${s.medianS.toFixed(2)} s  ${s.label}`)
    return 0
  } finally {
    await bed.stop().catch((error: unknown) => console.error(`stopping the test bed failed: ${String(error)}`))
    await cli.remove()
    await rm(work, { recursive: true, force: true })
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  return 1
})
