// `npm run testbed -- up [N] | down | status`: the test bed by hand. `up` leaves the hosts (and the
// Vault test server) running after it exits; `down` stops them by the PIDs in the state file.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startTestbed } from './testbed/index.js'
import { isOurs } from './testbed/processes.js'
import { readState } from './testbed/state.js'
import { stopRecorded } from './testbed/teardown.js'

const USAGE = `usage: npm run testbed -- <command> [options]
  up [N]    start N hosts (default 3) and the Vault test server; prints the inventory, known_hosts and Vault env
  down      stop everything the last \`up\` started (by PID)
  status    show what runs
options: --dir DIR (default ./.testbed)  --no-vault  --slot S (hosts on 127.0.S.11.. instead of the first free slot)`

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, 'no-vault': { type: 'boolean' }, slot: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const [command, count] = positionals
  const dir = resolve(values.dir ?? '.testbed')
  if (values.help || command === undefined) {
    console.log(USAGE)
    return command === undefined && !values.help ? 5 : 0
  }
  if (command === 'up') return up(dir, count === undefined ? 3 : Number(count), !values['no-vault'], values.slot)
  if (command === 'down') {
    const stopped = await stopRecorded(dir)
    console.log(stopped ? `test bed in ${dir} stopped` : `no test bed recorded in ${dir}`)
    return 0
  }
  if (command === 'status') return status(dir)
  console.error(`unknown command: ${command}\n${USAGE}`)
  return 5
}

async function up(dir: string, hosts: number, vault: boolean, slot: string | undefined): Promise<number> {
  const bed = await startTestbed({ hosts, vault, dir, detached: true, slot: slot === undefined ? undefined : Number(slot) })
  for (const host of bed.hosts) console.log(`# ${host.name} ${bed.user}@${host.address}:${host.port} (sshd pid ${host.sshdPid}, /data = ${host.dataDir})`)
  console.log(`# ssh -i ${bed.keyFile} -o UserKnownHostsFile=${bed.knownHostsPath} -o StrictHostKeyChecking=yes ${bed.user}@${bed.hosts[0]?.address ?? ''}`)
  console.log(`inventory: ${bed.inventoryPath}`)
  console.log(`known_hosts: ${bed.knownHostsPath}`)
  if (bed.vault) {
    console.log(`export VAULT_ADDR=${bed.vault.addr}`)
    console.log(`export VAULT_TOKEN=${bed.vault.operatorToken}`)
  }
  console.log('# stop with: npm run testbed -- down' + (dir === resolve('.testbed') ? '' : ` --dir ${dir}`))
  return 0
}

async function status(dir: string): Promise<number> {
  const state = await readState(dir)
  if (!state) {
    console.log(`no test bed recorded in ${dir}`)
    return 1
  }
  let running = 0
  for (const host of state.hosts) {
    const up = isOurs(host.sshdPid, host.configPath)
    if (up) running++
    console.log(`${host.name} ${host.address}:${host.port} sshd pid ${host.sshdPid} ${up ? 'running' : 'stopped'}`)
  }
  if (state.vault) {
    const up = isOurs(state.vault.pid, state.vault.marker)
    console.log(`vault ${state.vault.addr} pid ${state.vault.pid} ${up ? 'running' : 'stopped'}`)
  }
  console.log(`inventory: ${state.inventoryPath}\nknown_hosts: ${state.knownHostsPath}`)
  return running === state.hosts.length ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
