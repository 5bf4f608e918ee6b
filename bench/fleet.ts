// `npx tsx bench/fleet.ts --hosts 200`: authctl alone on more hosts than one test bed holds (50):
// several beds in their own address slots, one merged inventory and known_hosts, the first bed's
// Vault for all. Measures wall time, peak RSS (GNU time) and commands per host of a first run and
// a no-change run; Ansible is not run here (at forks 5 it would take the better part of an hour).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot, startTestbed, type Testbed } from '../test/support/testbed/index.js'
import { measure } from './lib/proc.js'
import { snapshotCli } from './lib/snapshot.js'

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
  // ansible's own known_hosts option is not used by authctl (it takes --known-hosts), so keep it as is
  const inventory = join(dir, 'inventory.ini')
  await writeFile(inventory, ['[authentik]', ...hostLines, '', '[authentik:vars]', ...vars, ''].join('\n'))
  return { inventory, knownHosts }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { hosts: { type: 'string', default: '200' }, forks: { type: 'string', default: '10' } } })
  const total = Number(values.hosts)
  if (!Number.isInteger(total) || total < 1 || total > 16 * PER_BED) throw new Error('--hosts must be 1..800')
  const work = await mkdtemp(join(tmpdir(), 'authctl-fleet-'))
  const cli = await snapshotCli(repoRoot)
  const beds: Testbed[] = []
  try {
    for (let left = total; left > 0; left -= PER_BED) {
      beds.push(await startTestbed({ hosts: Math.min(PER_BED, left), vault: beds.length === 0 }))
      console.log(`bed ${beds.length}: ${beds.at(-1)?.hosts.length} hosts in slot ${beds.at(-1)?.slot}`)
    }
    const first = beds[0] as Testbed
    const { inventory, knownHosts } = await mergedInventory(beds, work)
    await mkdir(join(work, 'home'))
    const env = { PATH: process.env.PATH, HOME: join(work, 'home'), VAULT_ADDR: first.vault?.addr, VAULT_TOKEN: first.vault?.operatorToken, NO_COLOR: '1' }
    const args = [cli.runJs, 'setup', '-i', inventory, '--known-hosts', knownHosts, '--json', '--forks', values.forks ?? '10']
    for (const label of ['first run', 'no-change run']) {
      await Promise.all(beds.map((b) => b.clearCommands()))
      const m = await measure(process.execPath, args, { env, timeoutMs: 30 * 60_000 })
      const counts = (await Promise.all(beds.flatMap((b) => b.hosts.map(async (h) => (await b.commands(h.name)).length))))
      const statuses = m.code === 0 || m.code === 2 || m.code === 4 ? (JSON.parse(m.stdout) as { hosts: { status: string }[] }).hosts.map((h) => h.status) : []
      const tally = Object.entries(statuses.reduce<Record<string, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {})).map(([k, v]) => `${k}=${v}`).join(' ')
      console.log(`${total} hosts, ${label}: exit ${String(m.code)}, ${(m.wallMs / 1000).toFixed(1)} s, peak RSS ${((m.maxRssKb ?? 0) / 1024).toFixed(0)} MiB, CPU ${((m.userS ?? 0) + (m.sysS ?? 0)).toFixed(1)} s, commands/host max ${Math.max(...counts)}, ${tally}`)
      if (m.code !== 0) console.log(m.stderr.slice(-1500))
    }
  } finally {
    for (const bed of beds.reverse()) await bed.stop().catch((error: unknown) => console.error(`stopping a bed failed: ${String(error)}`))
    await cli.remove()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
