// `authctl logs` and `authctl audit` against the test bed (3 real sshd hosts set up by `authctl setup`):
// lines prefixed by host, `-f` following every host until SIGINT with no follower left on any host,
// a host that drops out while the others go on, and the hosts' audit logs merged by time.
import { appendFile, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stubRootOf } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { allOutputs, cliEnv, runCli, spawnCli } from './support/cli.js'
import { expectNoSecretShown } from './support/sentinels.js'
import { waitFor } from '../support/wait-for.js'

let bed: Testbed
let home: string
let env: NodeJS.ProcessEnv

const on = (...args: string[]) => [...args, '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
const agentLog = (i: number) => join(stubRootOf(bed.hosts[i]!.dataDir), 'logs', 'authentik', 'vault-agent.log')
// a line as the docker stand-in stores container output
const logLine = (text: string) => `${new Date().toISOString()} stdout ${text}\n`

// a line from each of the three hosts, in any order
const EVERY_HOST = /^(?=[\s\S]*host1 \| )(?=[\s\S]*host2 \| )(?=[\s\S]*host3 \| )/

// The built CLI as a process we can signal; its outputs join the sentinel search when it ends.
const start = (args: string[]) => spawnCli(args, env, { timeoutMs: 90_000 })

// Processes on this machine (the hosts share its process table) whose command line holds `marker`.
async function processesWith(marker: string): Promise<string[]> {
  const found: string[] = []
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmd.includes(marker) && !cmd.includes('vitest')) found.push(`${pid} ${cmd.replaceAll('\0', ' ')}`)
  }
  return found
}

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3 })
  ;({ home, env } = await cliEnv(bed))
  const setup = await runCli(['setup', ...on(), '--wait-timeout', '30s'], env)
  expect(setup.code, setup.stderr).toBe(0)
})

// After every test of both commands: never a secret shown, not on screen, in JSON, or in the hosts' command
// lines (what `logs -f` followed is among the outputs searched, or the search proves nothing).
afterAll(async () => {
  try {
    if (bed !== undefined) {
      expect(allOutputs.join('\n')).toContain('followed-line')
      await expectNoSecretShown(bed, home)
    }
  } finally {
    await bed?.stop()
  }
})

describe('authctl logs', () => {
  it('prints each host\'s last lines, every line prefixed with its host, aligned', async () => {
    const r = await runCli(on('logs', '--service', 'vault-agent', '--tail', '2'), env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    for (const l of lines) expect(l).toMatch(/^host[123] \| authentik-vault-agent-1 {2}\| \S/)
    expect(lines.filter((l) => l.startsWith('host2 | '))).toHaveLength(2)
    const since = await runCli(on('logs', '--service', 'vault-agent', '--since', '1h'), env)
    expect(since.stdout).toMatch(/^host1 \| authentik-vault-agent-1 {2}\| .*authentication successful/m)
    const future = await runCli(on('logs', '--since', '2999-01-01T00:00:00Z'), env)
    expect([future.code, future.stdout]).toEqual([0, ''])
  })

  it('refuses an unknown service before reaching any host (exit 5)', async () => {
    await bed.clearCommands()
    const r = await runCli(on('logs', '--service', 'redis'), env)
    expect(r.code).toBe(5)
    expect(r.stderr).toMatch(/Expected --service=redis to be one of: vault-agent, server, worker/)
    for (const h of bed.hosts) expect(await bed.commands(h.name)).toEqual([])
  })

  it('-f follows every host until SIGINT, then exits 0 and leaves no follower running on any host', async () => {
    const marker = '7919'
    const run = start(on('logs', '-f', '--service', 'vault-agent', '--tail', marker))
    await run.waitForOutput(EVERY_HOST, { stream: 'stdout', timeoutMs: 20_000 })
    expect((await processesWith(`--tail\0${marker}\0--follow`)).length).toBeGreaterThanOrEqual(3)
    await appendFile(agentLog(1), logLine(`followed-line-${process.pid}`))
    await run.waitForOutput(new RegExp(`host2 \\| authentik-vault-agent-1 {2}\\| followed-line-${process.pid}\n`), { stream: 'stdout', timeoutMs: 20_000 })
    run.kill('SIGINT')
    const { code, stdout, stderr } = await run.done
    expect(code).toBe(0)
    for (const l of stdout.trimEnd().split('\n')) expect(l).toMatch(/^host[123] \| /)
    let left: string[] = []
    await waitFor(async () => (left = await processesWith(`--tail\0${marker}\0--follow`)).length === 0, `no follower left: ${left.join('\n')}`, 5_000, 100).catch(() => undefined)
    expect(left).toEqual([])
    expect(stderr).not.toMatch(/Terminated|Error/)
  })

  it('a line a host wrote with terminal escapes and control bytes reaches the screen only as visible text', async () => {
    // OSC 52 (clipboard write), OSC 0 (title), clear screen, cursor home, CR/backspace overwrites, NUL,
    // a bidi override, DEL and a C1 CSI; the SGR colour codes are dropped, everything else is shown escaped
    const planted = `planted-${process.pid} \x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;owned\x07\x1b[2J\x1b[H\rover\x08\x00\u202eevil\x7f\u009b1m\x1b[31mred\x1b[0m`
    await appendFile(agentLog(0), logLine(planted))
    const r = await runCli(on('logs', '-l', 'host1', '--service', 'vault-agent', '--tail', '1'), env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`host1 | authentik-vault-agent-1  | planted-${process.pid} \\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\rover\\x08\\x00\\u202eevil\\x7f\\x9b1mred\n`)
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/)
  })

  it('-f reports a host that drops out and goes on following the others; SIGINT then exits 4', async () => {
    const run = start(on('logs', '-f', '--service', 'vault-agent', '--tail', '1'))
    try {
      await run.waitForOutput(EVERY_HOST, { stream: 'stdout', timeoutMs: 20_000 })
      await bed.stopHost('host3')
      await run.waitForOutput(/\[host3\] warning: host3: .*; the other hosts are still followed/, { stream: 'stderr', timeoutMs: 20_000 })
      await appendFile(agentLog(0), logLine(`after-the-drop-${process.pid}`))
      await run.waitForOutput(new RegExp(`host1 \\| authentik-vault-agent-1 {2}\\| after-the-drop-${process.pid}\n`), { stream: 'stdout', timeoutMs: 20_000 })
      run.kill('SIGINT')
      expect((await run.done).code).toBe(4)
    } finally {
      await bed.startHost('host3')
    }
  })
})

interface JsonAudit { exitCode: number; entries: { host: string; line: number; time: string; who: string; command: string; fields: Record<string, unknown> }[]; malformed: { host: string; line: number; reason: string }[]; hosts: { host: string; warnings: string[]; logFound: boolean; entries: number }[] }

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('authctl audit', { shuffle: false }, () => {
  it('merges every host\'s audit lines by time, with the --json shape pinned', async () => {
    const r = await runCli(on('audit', '--json'), env)
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as JsonAudit
    expect(Object.keys(result).sort()).toEqual(['entries', 'exitCode', 'hosts', 'interrupted', 'malformed'])
    expect(Object.keys(result.entries[0]!).sort()).toEqual(['command', 'fields', 'host', 'line', 'time', 'who'])
    expect(result.entries.map((e) => e.host).sort()).toEqual(['host1', 'host2', 'host3'])
    const times = result.entries.map((e) => Date.parse(e.time))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(result.entries[0]).toMatchObject({ line: 1, command: expect.stringMatching(/^authctl setup /) as string, fields: { restart: 'up' } })
    expect(result.entries[0]!.fields.secret_id_accessor).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.hosts.map((h) => [h.host, h.logFound, h.entries])).toEqual([['host1', true, 1], ['host2', true, 1], ['host3', true, 1]])
  })

  it('reports a malformed line with its host and line number and shows the rest; --tail and --since cut the history', async () => {
    await appendFile(join(bed.hosts[1]!.dataDir, 'authentik/authctl-audit.log'), 'half a line {"time":\n')
    await appendFile(join(bed.hosts[2]!.dataDir, 'authentik/authctl-audit.log'), JSON.stringify({ time: new Date().toISOString(), who: 'ops@bastion', host: 'host3', command: 'authctl restart', restart: 'agent' }) + '\n')
    const r = await runCli(on('audit', '--json'), env)
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout) as JsonAudit
    expect(result.malformed).toEqual([{ host: 'host2', line: 2, reason: 'not JSON', excerpt: 'half a line {"time":' }])
    expect(result.hosts[1]!.warnings).toEqual(['audit log line 2 skipped: not JSON'])
    expect(result.entries).toHaveLength(4)
    const table = await runCli(on('audit'), env)
    expect(table.stdout).toMatch(/host3 {2}ops@bastion\s+restart=agent {2}\(authctl restart\)\n/)
    expect(table.stdout).toContain('skipped host2 line 2: not JSON: half a line {"time":')
    expect(table.stderr).toContain('[host2] warning: audit log line 2 skipped: not JSON')
    const last = JSON.parse((await runCli(on('audit', '--json', '--tail', '1'), env)).stdout) as JsonAudit
    expect(last.entries.map((e) => [e.host, e.command])).toEqual([['host3', 'authctl restart']])
    const none = JSON.parse((await runCli(on('audit', '--json', '--since', '2999-01-01T00:00:00Z'), env)).stdout) as JsonAudit
    expect(none.entries).toEqual([])
    const day = JSON.parse((await runCli(on('audit', '--json', '--since', '1d'), env)).stdout) as JsonAudit
    expect(day.entries).toHaveLength(4)
  })
})
