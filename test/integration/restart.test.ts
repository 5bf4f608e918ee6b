// `authctl restart` end to end on the test bed: rolling one host at a time (order and no overlap from the
// docker stand-in's container start times), an unhealthy host stops the rollout, --max-fail, the lock,
// Ctrl-C, --json, and no secret anywhere.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearFaults, readProjectState, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { cliEnv, runCli, spawnCli } from './support/cli.js'
import { expectNoSecretShown } from './support/sentinels.js'

let bed: Testbed
let env: NodeJS.ProcessEnv
let home: string
const replacedSecretIds: string[] = []
const conn = () => ['-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
const lockDir = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik', 'authctl.lock')
const started = (i: number, service: string): string => {
  const state = readProjectState(stubRootOf(bed.hosts[i]!.dataDir), 'authentik')
  return Object.values(state?.containers ?? {}).find((c) => c.service === service)?.startedAt ?? ''
}

interface JsonHost { host: string; status: string; restarted: string[]; healthy: boolean | null; owedRestart: string | null; warnings: string[]; error?: { message: string; exitCode: number } }

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3 })
  ;({ home, env } = await cliEnv(bed))
  const first = await runCli(['setup', ...conn(), '--wait-timeout', '30s'], env)
  expect(first.code, first.stderr).toBe(0)
})

afterAll(async () => {
  await bed?.stop()
})

describe('authctl restart', () => {
  it('rolls one host at a time: each host restarts the agent, then server and worker, healthy before the next host starts', async () => {
    const before = [0, 1, 2].map((i) => started(i, 'vault-agent'))
    const r = await runCli(['restart', ...conn(), '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as { exitCode: number; interrupted: boolean; hosts: JsonHost[] }
    expect(Object.keys(result).sort()).toEqual(['exitCode', 'hosts', 'interrupted', 'timings'])
    expect(Object.keys(result.hosts[0]!).sort()).toEqual(['durationMs', 'healthy', 'host', 'owedRestart', 'restarted', 'status', 'timings', 'warnings'])
    expect(result.hosts.map((h) => [h.host, h.status, h.restarted.join(','), h.healthy])).toEqual([
      ['host1', 'changed', 'vault-agent,server,worker', true], ['host2', 'changed', 'vault-agent,server,worker', true], ['host3', 'changed', 'vault-agent,server,worker', true],
    ])
    const agent = [0, 1, 2].map((i) => started(i, 'vault-agent'))
    const worker = [0, 1, 2].map((i) => started(i, 'worker'))
    for (let i = 0; i < 3; i++) {
      expect(agent[i]! > before[i]!).toBe(true)
      // within a host: the agent first, then the app
      expect(worker[i]! > agent[i]!).toBe(true)
    }
    // across hosts: the next host's agent starts only after the previous host's app is back
    expect(agent[1]! > worker[0]!).toBe(true)
    expect(agent[2]! > worker[1]!).toBe(true)
    for (const i of [0, 1, 2]) await expect(stat(lockDir(i))).rejects.toThrow(/ENOENT/)
    const audit = (await readFile(join(bed.hosts[0]!.dataDir, 'authentik', 'authctl-audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(audit.at(-1)).toMatchObject({ host: 'host1', restart: ['vault-agent', 'server', 'worker'] })
    expect(String(audit.at(-1)?.command)).toMatch(/^authctl restart /)
  })

  it('--services worker --all-at-once restarts only the worker, on every host at once (with --yes: without a terminal it is refused)', async () => {
    const agents = [0, 1, 2].map((i) => started(i, 'vault-agent'))
    const workers = [0, 1, 2].map((i) => started(i, 'worker'))
    const refused = await runCli(['restart', ...conn(), '--services', 'worker', '--all-at-once'], env)
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('authctl restart --all-at-once changes production state and needs --yes when there is no terminal to ask on')
    expect([0, 1, 2].map((i) => started(i, 'worker'))).toEqual(workers)
    const r = await runCli(['restart', ...conn(), '--services', 'worker', '--all-at-once', '--yes'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/host1\s+restarted\s+restarted=worker healthy=yes/)
    for (const i of [0, 1, 2]) {
      expect(started(i, 'vault-agent')).toBe(agents[i])
      expect(started(i, 'worker') > workers[i]!).toBe(true)
    }
  })

  it('AUTHCTL_ALL_AT_ONCE=1 (and AUTHCTL_YES=1) have no effect: the restart still rolls one host at a time', async () => {
    const r = await runCli(['restart', ...conn(), '--json'], { ...env, AUTHCTL_ALL_AT_ONCE: '1', AUTHCTL_YES: '1' })
    expect(r.code, r.stderr).toBe(0)
    const agent = [0, 1, 2].map((i) => started(i, 'vault-agent'))
    const worker = [0, 1, 2].map((i) => started(i, 'worker'))
    // the next host's agent starts only after the previous host's app is back
    expect(agent[1]! > worker[0]!).toBe(true)
    expect(agent[2]! > worker[1]!).toBe(true)
  })

  it('an unhealthy host stops the rollout with exit 2; --max-fail 1 lets exactly that one failure pass', async () => {
    writeFaults(stubRootOf(bed.hosts[0]!.dataDir), { unhealthy: ['server'] })
    try {
      const before = started(1, 'vault-agent')
      const stopped = await runCli(['restart', ...conn(), '--timeout', '3s'], env)
      expect(stopped.code).toBe(2)
      expect(stopped.stdout).toMatch(/host1\s+failed\s+host1: server and worker did not come back healthy after the restart/)
      expect(stopped.stdout).toMatch(/host2\s+not attempted\s+not changed: rollout stopped because host1 failed/)
      expect(stopped.stdout).toMatch(/host3\s+not attempted/)
      expect(started(1, 'vault-agent')).toBe(before)
      // the failed host owes a restart, recorded on the host
      expect((await readFile(join(bed.hosts[0]!.dataDir, 'authentik', '.authctl-pending-restart'), 'utf8')).trim()).toBe('agent')

      const tolerated = await runCli(['restart', ...conn(), '--timeout', '3s', '--max-fail', '1', '--json'], env)
      expect(tolerated.code).toBe(2)
      const hosts = (JSON.parse(tolerated.stdout) as { hosts: JsonHost[] }).hosts
      expect(hosts.map((h) => h.status)).toEqual(['failed', 'changed', 'changed'])
      expect(hosts[0]?.owedRestart).toBe('agent')
    } finally {
      clearFaults(stubRootOf(bed.hosts[0]!.dataDir))
    }
    const healed = await runCli(['restart', ...conn(), '-l', 'host1', '--services', 'server', '--json'], env)
    expect(healed.code, healed.stderr).toBe(0)
    // the owed full restart is done, whatever --services asked for, and cleared once healthy
    expect((JSON.parse(healed.stdout) as { hosts: JsonHost[] }).hosts[0]?.restarted).toEqual(['vault-agent', 'server', 'worker'])
    await expect(stat(join(bed.hosts[0]!.dataDir, 'authentik', '.authctl-pending-restart'))).rejects.toThrow(/ENOENT/)
  })

  it('a second restart while one runs fails with exit 3 and waits with --lock-wait', async () => {
    await mkdir(lockDir(2), { recursive: true })
    await writeFile(join(lockDir(2), 'details.json'), JSON.stringify({ who: 'ci@runner', pid: 99, command: 'authctl restart', since: new Date().toISOString() }) + '\n')
    const refused = await runCli(['restart', ...conn()], env)
    expect(refused.code).toBe(3)
    expect(refused.stdout).toMatch(/host3\s+failed\s+host3: the deploy lock is held \(.*ci@runner/)
    expect(refused.stdout).toMatch(/host1\s+not attempted\s+not changed: preflight failed on another host/)
    const run = spawnCli(['restart', ...conn(), '--lock-wait', '60s'], env)
    await run.waitForOutput(/\[host3\] waiting for the deploy lock/, { stream: 'stderr' })
    await rm(lockDir(2), { recursive: true })
    const { code, stderr } = await run.done
    expect(code, stderr).toBe(0)
  })

  it('Ctrl-C mid-run finishes the host in progress, touches no other, releases every lock and exits 130', async () => {
    const before = started(2, 'vault-agent')
    const run = spawnCli(['restart', ...conn()], env)
    await run.waitForOutput(/\[host1\] restarting/, { stream: 'stderr' })
    run.kill('SIGINT')
    const { code, stdout } = await run.done
    expect(code).toBe(130)
    expect(stdout).toMatch(/host1\s+restarted/)
    expect(stdout).toMatch(/host3\s+failed\s+not changed: interrupted before this host/)
    expect(started(2, 'vault-agent')).toBe(before)
    for (const i of [0, 1, 2]) await expect(stat(lockDir(i))).rejects.toThrow(/ENOENT/)
  })

  it('a hostile pending-restart marker (escapes, bidi, CR, a long value) reaches restart, status and setup output sanitized', async () => {
    // what a compromised host (or anyone who can write the root) can put in the marker file
    const hostile = `\x1b]52;c;cm0gLXJmIH4K\x07agent\r\x1b[2K\u202efake\n${'A'.repeat(5000)}`
    const plant = () => writeFile(join(bed.hosts[0]!.dataDir, 'authentik', '.authctl-pending-restart'), hostile)
    const runs: [string, string[]][] = [
      ['restart', ['restart', ...conn(), '-l', 'host1']],
      ['restart --json', ['restart', ...conn(), '-l', 'host1', '--json']],
      ['status', ['status', ...conn(), '-l', 'host1']],
      ['status --json', ['status', ...conn(), '-l', 'host1', '--json']],
      ['setup', ['setup', ...conn(), '-l', 'host1', '--wait-timeout', '30s']],
      ['setup --json', ['setup', ...conn(), '-l', 'host1', '--wait-timeout', '30s', '--json']],
    ]
    for (const [name, args] of runs) {
      await plant()
      const r = await runCli(args, env)
      const out = r.stdout + r.stderr
      // eslint-disable-next-line no-control-regex -- any raw control but a newline in operator output is a failure
      expect(out, name).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/)
      expect(out, name).not.toContain('A'.repeat(100))
      if (name === 'restart') expect(r.stderr).toContain('(and the \\x1b]52;c;cm0gLXJmIH4K\\x07agent\\r\\x1b[2K\\u202efake')
      if (name.endsWith('--json')) {
        // eslint-disable-next-line no-control-regex -- the parsed strings too, not only their JSON escapes
        expect(JSON.stringify(JSON.parse(r.stdout), (_k, v: unknown) => (typeof v === 'string' && /[\x00-\x1f\x7f-\x9f\u202a-\u202e]/.test(v) ? `RAW:${v}` : v)), name).not.toContain('RAW:')
      }
    }
    await rm(join(bed.hosts[0]!.dataDir, 'authentik', '.authctl-pending-restart'), { force: true })
  })

  it('bad flags are usage errors (exit 5) before any host is touched', async () => {
    const unknown = await runCli(['restart', ...conn(), '--services', 'postgres'], env)
    expect(unknown.code).toBe(5)
    expect(unknown.stderr).toContain('--services: unknown service postgres')
    const serial = await runCli(['restart', ...conn(), '--serial', 'half'], env)
    expect(serial.code).toBe(5)
    expect(serial.stderr).toContain('--serial: "half" is not a number of hosts or a percentage')
  })

  it('regen-secret-id -l host2 replaces host2\'s secret-id with vault-agent alone restarted, and leaves the others valid', async () => {
    const accessorOf = async (i: number) => (await readFile(join(bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), 'utf8')).split(' ')[0]!
    const before = await Promise.all([0, 1, 2].map(accessorOf))
    replacedSecretIds.push((await readFile(join(bed.hosts[1]!.dataDir, 'authentik/vault/config/secret-id'), 'utf8')).trim())
    const refused = await runCli(['regen-secret-id', ...conn(), '-l', 'host2'], env)
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('needs --yes when there is no terminal')
    expect(await accessorOf(1)).toBe(before[1])
    const server = started(1, 'server')
    const agent = started(1, 'vault-agent')
    const r = await runCli(['regen-secret-id', ...conn(), '-l', 'host2', '--yes', '--json'], env)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const host = (JSON.parse(r.stdout) as { hosts: { host: string; status: string; accessor: string; destroyed: string[]; restored: boolean }[] }).hosts[0]!
    expect(host).toMatchObject({ host: 'host2', status: 'changed', destroyed: [before[1]], restored: false })
    expect(host.accessor).not.toBe(before[1])
    expect(await accessorOf(1)).toBe(host.accessor)
    // only the agent restarted; server and worker kept running
    expect(started(1, 'vault-agent') > agent).toBe(true)
    expect(started(1, 'server')).toBe(server)
    const lookup = async (a: string) => (await fetch(`${bed.vault?.addr}/v1/auth/approle/role/authentik/secret-id-accessor/lookup`, { method: 'POST', headers: { 'X-Vault-Token': bed.vault?.rootToken ?? '' }, body: JSON.stringify({ secret_id_accessor: a }) })).status
    expect(await lookup(before[1]!)).toBe(404)
    expect(await lookup(host.accessor)).toBe(200)
    expect(await lookup(before[0]!)).toBe(200)
    expect(await lookup(before[2]!)).toBe(200)
    expect(r.stderr).toBe('')
  })

  it('regen-secret-id --revoke-all-others refuses --limit (it would destroy the left-out hosts\' secret-ids)', async () => {
    const r = await runCli(['regen-secret-id', ...conn(), '-l', 'host1', '--revoke-all-others', '--yes'], env)
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('--revoke-all-others cannot be combined with --limit')
  })

  it('never shows a secret: not on screen, in JSON, in the hosts\' command lines or in files on the bastion', async () => {
    expect(await readFile(join(home, '.local/state/authctl/audit.log'), 'utf8')).toContain('"command":"authctl restart')
    // the secret-ids replaced by regen-secret-id count too
    await expectNoSecretShown(bed, home, replacedSecretIds)
  })
})
