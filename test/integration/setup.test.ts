// `authctl setup` end to end against the test bed: 3 real sshd hosts with the docker stand-in and
// the seeded Vault test server, through the built CLI, as an operator would run it.
import { createHash } from 'node:crypto'
import { readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { cliEnv, runCli } from './support/cli.js'
import { expectNoSecretShown } from './support/sentinels.js'

let bed: Testbed
let home: string
let env: NodeJS.ProcessEnv

interface JsonHost { host: string; status: string; files: { path: string; action: string }[]; restarted: string[]; healthy: boolean | null; secretId?: { action: string; accessor?: string }; error?: { message: string }; timings: Record<string, number> }
interface JsonResult { exitCode: number; hosts: JsonHost[]; timings: Record<string, number> }

const parse = (stdout: string) => JSON.parse(stdout) as JsonResult
const args = () => ['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--wait-timeout', '30s']

async function vaultGet(path: string, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${bed.vault?.addr}/v1/${path}`, { headers: { 'X-Vault-Token': token } })
  return { status: res.status, body: res.status === 204 ? null : await res.json() }
}

async function accessors(): Promise<string[]> {
  const r = await vaultGet('auth/approle/role/authentik/secret-id?list=true', bed.vault?.rootToken ?? '')
  return r.status === 404 ? [] : ((r.body as { data: { keys: string[] } }).data.keys)
}

const root = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik')

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3 })
  ;({ home, env } = await cliEnv(bed))
})

afterAll(async () => {
  await bed?.stop()
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('authctl setup', { shuffle: false }, () => {
  it('--check on fresh hosts shows what would change and changes nothing', async () => {
    const r = await runCli([...args(), '--check', '--diff', '--json'], env)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const result = parse(r.stdout)
    expect(result.hosts.map((h) => [h.host, h.status, h.secretId?.action])).toEqual([
      ['host1', 'changed', 'would-mint'], ['host2', 'changed', 'would-mint'], ['host3', 'changed', 'would-mint'],
    ])
    expect(result.hosts[0]?.files.map((f) => f.action)).toContain('create')
    expect(await accessors()).toEqual([])
    await expect(stat(root(0))).rejects.toThrow(/ENOENT/)
  })

  it('first run deploys to 3 hosts, each with its own secret-id, and the agents render .env', async () => {
    const r = await runCli([...args(), '--json'], env)
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const result = parse(r.stdout)
    expect(result.hosts.map((h) => [h.status, h.healthy, h.secretId?.action])).toEqual([['changed', true, 'mint'], ['changed', true, 'mint'], ['changed', true, 'mint']])
    // the --json contract: these keys, no more, no less
    expect(Object.keys(result).sort()).toEqual(['check', 'exitCode', 'hosts', 'interrupted', 'timings'])
    expect(Object.keys(result.hosts[0]!).sort()).toEqual(['durationMs', 'files', 'healthy', 'host', 'restarted', 'secretId', 'status', 'timings', 'warnings'])
    // where the time went, in whole ms: the run's spans, and each host's steps
    expect(Object.keys(result.timings).sort()).toEqual(['apply', 'connect', 'prepare', 'read', 'release', 'render', 'total', 'vault'])
    expect(Object.keys(result.hosts[0]!.timings).sort()).toEqual(['apply', 'converge', 'prepare', 'read', 'release', 'vault', 'write'])
    expect(Object.values(result.timings).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true)
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.apply! + result.timings.read!)
    expect(Object.keys(result.hosts[0]!.secretId!).sort()).toEqual(['accessor', 'action', 'reason'])
    const minted = result.hosts.map((h) => h.secretId?.accessor)
    expect(new Set(minted).size).toBe(3)
    expect((await accessors()).sort()).toEqual([...minted].sort())
    for (let i = 0; i < 3; i++) {
      const s = await stat(join(root(i), 'vault/config/secret-id'))
      expect([s.mode & 0o777, s.uid, s.gid]).toEqual([0o400, 100, 1000])
      // the record: the accessor and the checksum of the secret-id file it describes
      const secretIdFile = await readFile(join(root(i), 'vault/config/secret-id'), 'utf8')
      expect(await readFile(join(root(i), 'vault/config/secret-id.accessor'), 'utf8')).toBe(`${minted[i]} ${createHash('sha256').update(secretIdFile).digest('hex')}\n`)
      const audit = (await readFile(join(root(i), 'authctl-audit.log'), 'utf8')).trim().split('\n')
      expect(JSON.parse(audit[0]!)).toMatchObject({ host: `host${i + 1}`, secret_id_accessor: minted[i] })
      await expect(stat(join(root(i), 'authctl.lock'))).rejects.toThrow(/ENOENT/)
    }
    const secretIds = await Promise.all([0, 1, 2].map((i) => readFile(join(root(i), 'vault/config/secret-id'), 'utf8')))
    expect(new Set(secretIds).size).toBe(3)
    const envFiles = await readdir(join(bed.hosts[0]!.dataDir, '.docker-stub'), { recursive: true })
    expect(envFiles.some((f) => String(f).endsWith('.env'))).toBe(true)
  })

  it('a second run changes nothing, mints nothing, restarts nothing, and never locks: one remote command a host', async () => {
    const before = await accessors()
    await bed.clearCommands()
    const r = await runCli([...args(), '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    const result = parse(r.stdout)
    expect(result.hosts.map((h) => [h.status, h.restarted.length, h.secretId?.action])).toEqual([['ok', 0, 'keep'], ['ok', 0, 'keep'], ['ok', 0, 'keep']])
    expect(result.hosts.every((h) => h.files.every((f) => f.action === 'unchanged'))).toBe(true)
    expect(await accessors()).toEqual(before)
    for (const h of bed.hosts) {
      const commands = await bed.commands(h.name)
      // one round trip: the state read (nothing differs, so nothing is locked or released)
      expect(commands).toHaveLength(1)
      expect(commands[0]).toContain('authctl-state')
    }
  })

  it('--check --diff --new-secret-id shows the change, masks the secret, mints nothing and changes nothing', async () => {
    const before = await accessors()
    const secretBefore = await readFile(join(root(0), 'vault/config/secret-id'), 'utf8')
    const r = await runCli([...args(), '--check', '--diff', '--new-secret-id'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('=== host1')
    expect(r.stdout).toContain('@@ secret content replaced (value not shown) @@')
    expect(r.stdout).toMatch(/host1\s+changed/)
    expect(r.stderr).toContain('[host1] would mint a new secret-id: --new-secret-id was given')
    expect(await accessors()).toEqual(before)
    expect(await readFile(join(root(0), 'vault/config/secret-id'), 'utf8')).toBe(secretBefore)
  })

  it('a changed template restarts the agent one host at a time and destroys nothing it still needs', async () => {
    const override = join(dirname(bed.inventoryPath), 'templates')
    await mkdir(override, { recursive: true })
    // an override is logic-free text (README "Template overrides"): start from the deployed file
    const tpl = await readFile(join(root(0), 'vault/config/config.hcl'), 'utf8')
    await writeFile(join(override, 'config.hcl.ejs'), '# changed by the test\n' + tpl)
    const r = await runCli(args(), env)
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stderr.split('\n')
    const at = (host: string, text: string) => lines.findIndex((l) => l.startsWith(`[${host}]`) && l.includes(text))
    // host2 is written only after host1 is healthy again, and so on: a rolling restart
    expect(at('host1', 'healthy after restarting vault-agent')).toBeGreaterThan(-1)
    expect(at('host1', 'healthy after')).toBeLessThan(at('host2', 'wrote'))
    expect(at('host2', 'healthy after')).toBeLessThan(at('host3', 'wrote'))
    expect(r.stdout).toMatch(/host1\s+changed\s+changed=1 unchanged=\d+ restarted=vault-agent,server,worker healthy=yes/)
    expect(await readFile(join(root(0), 'vault/config/config.hcl'), 'utf8')).toContain('# changed by the test')
    await rm(join(override, 'config.hcl.ejs'))
  })

  it('an unknown host key is refused with its fingerprint and nothing changes', async () => {
    const empty = join(home, 'empty_known_hosts')
    await writeFile(empty, '')
    await bed.clearCommands()
    const r = await runCli(['setup', '-i', bed.inventoryPath, '--known-hosts', empty, '--json'], env)
    expect(r.code).toBe(4)
    const result = parse(r.stdout)
    expect(result.hosts.map((h) => h.status)).toEqual(['unreachable', 'unreachable', 'unreachable'])
    expect(result.hosts[0]?.error?.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/)
    for (const h of bed.hosts) expect(await bed.commands(h.name)).toEqual([])
  })

  it('a host that is down is reported unreachable while the others converge (exit 4)', async () => {
    await bed.stopHost('host3')
    try {
      const r = await runCli([...args()], env)
      expect(r.code).toBe(4)
      expect(r.stdout).toMatch(/host1\s+(ok|changed)\s/)
      expect(r.stdout).toMatch(/host2\s+(ok|changed)\s/)
      expect(r.stdout).toMatch(/host3\s+unreachable\s+.*host3: cannot connect to 127\.0\.\d+\.13:22/)
    } finally {
      await bed.startHost('host3')
    }
  })

  it('Vault sealed: exit 6 before any host is touched', async () => {
    const control = (what: string) => fetch(`${bed.vault?.addr}/__test/${what}`, { method: 'POST', headers: { 'X-Vault-Token': bed.vault?.rootToken ?? '' } })
    expect((await control('seal')).ok).toBe(true)
    await bed.clearCommands()
    try {
      const r = await runCli([...args()], env)
      expect(r.code).toBe(6)
      expect(r.stderr).toMatch(/Error: .*sealed/i)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      for (const h of bed.hosts) expect(await bed.commands(h.name)).toEqual([])
    } finally {
      expect((await control('unseal')).ok).toBe(true)
    }
  })

  it('never shows a secret: not on screen, in JSON, in the hosts\' command lines or in files on the bastion', async () => {
    expect(await readFile(join(home, '.local/state/authctl/audit.log'), 'utf8')).toContain('"command":"authctl setup')
    await expectNoSecretShown(bed, home)
  })
})
