// The bench's rival and yardstick rows against real sshd hosts: tuned Ansible (pipelining, one
// ControlPersist master per host), bench/restart.yml (serial 1 and all at once, gated on health),
// the floor (one `sudo -n true` a host) and the replay of authctl's no-change commands.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tunedAnsibleCfg } from '../../bench/lib/ansible-config.js'
import { renderForAnsible, writeAnsibleVars } from '../../bench/lib/ansible-inputs.js'
import { hostCommands } from '../../bench/lib/bed-control.js'
import { floorArgv, writeFloorHosts } from '../../bench/lib/floor.js'
import { writeReplay } from '../../bench/lib/replay.js'
import { PLAYBOOK, RESTART_PLAYBOOK } from '../../bench/lib/scenarios.js'
import { clearFaults, readProjectState, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { runCli } from './support/cli.js'

let bed: Testbed
let work: string
let env: NodeJS.ProcessEnv

function run(file: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

const playbook = (file: string, extra: string[] = []) => run('ansible-playbook', ['-i', bed.inventoryPath, '-e', `@${join(work, 'vars.json')}`, ...extra, file])
// Ansible prints the PLAY banner once a serial batch. Not the TASK banners: under the free strategy a host that
// starts a task after another host moved on to the next one prints its banner again (seen on a loaded machine).
const batches = (out: string): number => out.match(/^PLAY \[Restart the Authentik stack and wait until it is healthy\]/gm)?.length ?? 0
const startedAt = (i: number) => Object.values(readProjectState(stubRootOf(bed.hosts[i]!.dataDir), 'authentik')?.containers ?? {}).map((c) => c.startedAt).sort()

beforeAll(async () => {
  bed = await startTestbed({ hosts: 2 })
  work = await mkdtemp(join(tmpdir(), 'authctl-bench-test-'))
  await mkdir(join(work, 'cp'), { mode: 0o700 })
  await mkdir(join(work, 'home'))
  await writeFile(join(work, 'tuned.cfg'), tunedAnsibleCfg(2, join(work, 'cp')))
  env = { PATH: process.env.PATH, HOME: join(work, 'home'), LANG: 'C.UTF-8', ANSIBLE_CONFIG: join(work, 'tuned.cfg') }
  const vault = { addr: bed.vault?.addr ?? '', token: bed.vault?.operatorToken ?? '' }
  const hosts = await renderForAnsible(bed.inventoryPath, join(work, 'files'), { ...env, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token })
  await writeAnsibleVars(hosts, join(work, 'files'), join(work, 'vars.json'), vault)
})

afterAll(async () => {
  await bed?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('tuned Ansible on the bed', { shuffle: false }, () => {
  it('deploys each host over its own master, one pipelined command a task', async () => {
    await bed.clearCommands()
    const r = await playbook(PLAYBOOK)
    expect(r.code, r.out).toBe(0)
    for (const h of bed.hosts) {
      const cmds = await bed.commands(h.name)
      // a shared ControlPath would have sent host2's tasks down host1's connection
      expect(cmds.some((c) => c.includes('docker-compose.yml') || c.includes('python3'))).toBe(true)
      expect(cmds.some((c) => c.includes('mkdir') && c.includes('.ansible/tmp'))).toBe(true) // copy still stages files
    }
    expect(startedAt(0).length).toBe(3)
  })

  it('restarts one host at a time with serial 1, and all at once without', async () => {
    const before = startedAt(1)
    const serial = await playbook(RESTART_PLAYBOOK, ['-e', 'restart_serial=1'])
    expect(serial.code, serial.out).toBe(0)
    expect(batches(serial.out)).toBe(2)
    expect(startedAt(1)).not.toEqual(before)
    await bed.clearCommands()
    const all = await playbook(RESTART_PLAYBOOK)
    expect(all.code, all.out).toBe(0)
    expect(batches(all.out)).toBe(1)
    for (const h of bed.hosts) expect(await bed.commands(h.name)).toHaveLength(2)
  })

  it('fails the restart while a service stays unhealthy', async () => {
    const root = stubRootOf(bed.hosts[0]!.dataDir)
    writeFaults(root, { unhealthy: ['server'] })
    try {
      const r = await playbook(RESTART_PLAYBOOK, ['-e', 'restart_wait_retries=1', '-e', 'restart_wait_delay=0'])
      expect(r.code).toBe(2)
      expect(r.out).toMatch(/FAILED - RETRYING|fatal: \[host1\]/)
    } finally {
      clearFaults(root)
    }
  })
})

describe('the floor', () => {
  it('runs exactly `sudo -n true` once on every host, with strict host keys', async () => {
    const file = join(work, 'floor.txt')
    await writeFloorHosts(bed, file)
    await bed.clearCommands()
    const r = await run('xargs', floorArgv(file, 2, bed))
    expect(r.code, r.out).toBe(0)
    for (const h of bed.hosts) expect(await bed.commands(h.name)).toEqual(['sudo -n true'])
  })

  it('fails when a host key does not match', async () => {
    const file = join(work, 'floor.txt')
    await writeFloorHosts(bed, file)
    const wrong = join(work, 'wrong_known_hosts')
    await writeFile(wrong, '')
    const r = await run('xargs', floorArgv(file, 2, { keyFile: bed.keyFile, knownHostsPath: wrong }))
    expect(r.code).not.toBe(0)
    expect(r.out).toMatch(/Host key verification failed/)
  })
})

describe('the replay of a no-change run', () => {
  it('runs the same commands on every host again over OpenSSH and leaves the hosts as they were', async () => {
    const authctlEnv = { PATH: process.env.PATH, HOME: join(work, 'home'), VAULT_ADDR: bed.vault?.addr, VAULT_TOKEN: bed.vault?.operatorToken, NO_COLOR: '1' }
    const setup = () => runCli(['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--json'], authctlEnv)
    expect((await setup()).code).toBe(0) // takes the Ansible-deployed hosts over
    await bed.clearCommands()
    const noChange = await setup()
    expect(noChange.code, noChange.stderr).toBe(0)
    const recorded = await hostCommands(bed)
    await writeReplay(bed, recorded, join(work, 'replay.sh'))
    await bed.clearCommands()
    const r = await run('sh', [join(work, 'replay.sh')])
    expect(r.code, r.out).toBe(0)
    // one session a host, running exactly the recorded commands in order
    for (const [host, cmds] of recorded) {
      expect(cmds.length).toBeGreaterThan(0)
      expect(await bed.commands(host)).toEqual([cmds.map((c) => `{ ${c}\n}`).join(' && ')])
    }
    for (const h of bed.hosts) expect(existsSync(join(h.dataDir, 'authentik', 'authctl.lock'))).toBe(false)
    const after = JSON.parse((await setup()).stdout) as { hosts: { status: string }[] }
    expect(after.hosts.map((h) => h.status)).toEqual(['ok', 'ok'])
  })

  it('exits 1 when a replayed command fails on a host', async () => {
    await writeReplay(bed, new Map([['host1', ['true']], ['host2', ['true', 'exit 7']]]), join(work, 'bad.sh'))
    expect((await run('sh', [join(work, 'bad.sh')])).code).toBe(1)
  })
})
