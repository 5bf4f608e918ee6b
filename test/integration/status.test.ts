// `authctl status` against the test bed: 3 real sshd hosts set up by `authctl setup`, each fault
// planted for real (a file's mode, the tmpfs content, a lock dir, a bad secret-id the agent restarts
// with, Vault's clock), then found by the built CLI.
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { markStep, newJournal, saveJournal } from '../../src/plays/shared/rotation-journal.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composeArgv } from '../../src/remote/compose.js'
import { hostPaths } from '../../src/stack/host-paths.js'
import { sudo } from '../../src/remote/sudo.js'
import { connectHost } from '../../src/transport/ssh-host.js'
import { stubRootOf, volumeDir } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { allOutputs, cliEnv, runCli } from './support/cli.js'
import { expectNoSecretShown } from './support/sentinels.js'

let bed: Testbed
let home: string
let env: NodeJS.ProcessEnv

interface JsonCheck { id: string; status: string; summary: string; hint?: string; data?: Record<string, unknown> }
interface JsonHost { host: string; status: string; verdict: string; checks: JsonCheck[] }
interface JsonStatus { exitCode: number; strict: boolean; summary: Record<string, number>; vault: { error: string | null }; hosts: JsonHost[] }

const status = (...extra: string[]) => runCli(['status', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, ...extra], env)
const json = (stdout: string) => JSON.parse(stdout) as JsonStatus
const root = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik')
const checkOf = (r: JsonStatus, host: string, id: string) => r.hosts.find((h) => h.host === host)?.checks.find((c) => c.id === id)
// the checks that did not pass, as "host id status"
const notPassing = (r: JsonStatus) => r.hosts.flatMap((h) => h.checks.filter((c) => c.status !== 'pass').map((c) => `${h.host} ${c.id} ${c.status}`))

// Runs docker compose on a host as an operator would over SSH (to restart the agent after a change).
async function compose(i: number, args: string[]): Promise<void> {
  const h = bed.hosts[i]!
  const remote = await connectHost({ name: h.name, host: h.address, port: h.port, user: bed.user, privateKeyFile: bed.keyFile, agentSocket: '' }, { knownHostsPath: bed.knownHostsPath, acceptNew: false })
  try {
    const r = await remote.exec(sudo(composeArgv(hostPaths('/data/authentik'), 'authentik', args)))
    expect(r.code, r.stderr).toBe(0)
  } finally {
    await remote.close()
  }
}

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3 })
  ;({ home, env } = await cliEnv(bed))
  const setup = await runCli(['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--wait-timeout', '30s'], env)
  expect(setup.code, setup.stderr).toBe(0)
})

afterAll(async () => {
  await bed?.stop()
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('authctl status', { shuffle: false }, () => {
  it('shows a rotation that did not finish (Vault and the database may disagree) and does not pass', async () => {
    const journal = newJournal({ kind: 'rotate-db-password', who: 'oncall@bastion', command: 'authctl rotate-db-password --yes', method: 'rds', target: 'cwiq-shared-authentik-postgres', path: 'secret/cwiq/shared/authentik/database', restart: true, fromVersion: 3 }, new Date('2026-12-01T10:00:00Z'))
    markStep(journal, 'db-change', 'RDS modify sent', new Date('2026-12-01T10:00:05Z'))
    const path = await saveJournal(journal, env)
    try {
      const r = await status()
      expect(r.code).toBe(2)
      expect(r.stdout).toContain('unfinished rotation: rotate-db-password started 2026-12-01T10:00:00.000Z by oncall@bastion, at step db-change')
      expect(r.stdout).toContain('finish it with: authctl rotate-db-password --resume')
    } finally {
      await rm(path, { force: true })
    }
  })

  it('passes on a fresh deployment, in one remote command per host, without taking the lock', async () => {
    await bed.clearCommands()
    const r = await status('--json')
    expect(r.code, r.stderr).toBe(0)
    const result = json(r.stdout)
    // the --json contract: these keys, no more, no less
    expect(Object.keys(result).sort()).toEqual(['exitCode', 'hosts', 'interrupted', 'rotations', 'strict', 'summary', 'timings', 'vault'])
    expect((result as unknown as { rotations: unknown }).rotations).toEqual([])
    expect(Object.keys(result.hosts[0]!).sort()).toEqual(['checks', 'durationMs', 'host', 'status', 'timings', 'verdict', 'warnings'])
    expect(result.summary).toEqual({ hosts: 3, pass: 3, warn: 0, fail: 0, unreachable: 0 })
    expect(result.hosts[0]!.checks.map((c) => c.id)).toEqual(['reachable', 'files', 'role-id', 'secret-id', 'secret-id-left-live', 'services', 'env', 'tmpfs', 'agent-auth', 'lock', 'restart'])
    expect(notPassing(result)).toEqual([])
    expect(checkOf(result, 'host1', 'secret-id')?.data).toMatchObject({ remainingSeconds: expect.any(Number) as number })
    for (const h of bed.hosts) {
      const commands = await bed.commands(h.name)
      expect(commands).toHaveLength(1)
      expect(commands[0]).toContain('authctl-status')
      expect(commands[0]).not.toContain('mkdir')
    }
    const table = await status()
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^HOST\s+CHECK\s+RESULT\s+DETAIL\n/)
    expect(table.stdout).toMatch(/host2\s+secret-id\s+ok\s+valid for 29d 23h/)
    expect(table.stdout).toContain('3 host(s): 3 ok, 0 with warnings, 0 failing, 0 unreachable — exit 0')
  })

  it('reports a world-readable credential file (exit 2)', async () => {
    const file = join(root(0), 'vault/config/secret-id')
    await chmod(file, 0o444)
    try {
      const r = await status('--json')
      expect(r.code).toBe(2)
      const result = json(r.stdout)
      expect(notPassing(result)).toEqual(['host1 files fail'])
      expect(checkOf(result, 'host1', 'files')?.summary).toBe('/data/authentik/vault/config/secret-id: 0444 100:1000 (readable by everyone), want 0400 100:1000')
      expect(result.hosts.map((h) => h.verdict)).toEqual(['fail', 'pass', 'pass'])
    } finally {
      await chmod(file, 0o400)
    }
  })

  it('reports a missing .env in the agent\'s tmpfs (exit 2)', async () => {
    const envFile = join(volumeDir(stubRootOf(bed.hosts[1]!.dataDir), 'authentik_secrets'), '.env')
    const [content, st] = [await readFile(envFile), await stat(envFile)]
    await rm(envFile)
    try {
      const r = await status('--json', '-l', 'host2')
      expect(r.code).toBe(2)
      const result = json(r.stdout)
      expect(checkOf(result, 'host2', 'env')).toMatchObject({ status: 'fail', summary: '/vault/secrets/.env is missing or empty: server and worker have no secrets' })
      // the agent's healthcheck (test -s .env) fails too
      expect(checkOf(result, 'host2', 'services')).toMatchObject({ status: 'fail', summary: expect.stringContaining('vault-agent: running/unhealthy') as string })
      expect(checkOf(result, 'host2', 'tmpfs')?.status).toBe('pass')
    } finally {
      await writeFile(envFile, content, { mode: st.mode & 0o777 })
      await chown(envFile, st.uid, st.gid)
    }
  })

  it('reports a stale lock (exit 2) and a fresh one as a run in progress (a warning, exit 2 only with --strict)', async () => {
    const lock = hostPaths(root(2))
    await mkdir(lock.lockDir, { mode: 0o700 })
    try {
      const old = new Date(Date.now() - 2 * 3_600_000).toISOString()
      await writeFile(lock.lockDetails, JSON.stringify({ who: 'ci@old-bastion', pid: 4242, command: 'authctl setup', bastion: 'old-bastion', since: old }) + '\n')
      const stale = await status()
      expect(stale.code).toBe(2)
      expect(stale.stdout).toMatch(/host3\s+lock\s+FAIL\s+stale deploy lock held by ci@old-bastion \(pid 4242\) since .* \(2h\): authctl setup/)
      expect(stale.stdout).toContain('host3 lock: Every setup and restart on this host fails with exit 3 until it is cleared. Make sure that run is gone, then: authctl lock release -l host3 --yes')
      await writeFile(lock.lockDetails, JSON.stringify({ who: 'ci@bastion', pid: 4242, command: 'authctl setup', bastion: 'elsewhere', since: new Date().toISOString() }) + '\n')
      const fresh = await status('--json')
      expect(fresh.code).toBe(0)
      expect(notPassing(json(fresh.stdout))).toEqual(['host3 lock warn'])
      expect((await status('--json', '--strict')).code).toBe(2)
      const shorter = await status('--json', '--stale-after', '0s')
      expect(checkOf(json(shorter.stdout), 'host3', 'lock')?.status).toBe('fail')
    } finally {
      await rm(lock.lockDir, { recursive: true, force: true })
    }
  })

  it('warns well before a secret-id expires (--warn-before), failing only under --strict', async () => {
    const r = await status('--json', '--warn-before', '800h')
    expect(r.code).toBe(0)
    const result = json(r.stdout)
    expect(notPassing(result)).toEqual(['host1 secret-id warn', 'host2 secret-id warn', 'host3 secret-id warn'])
    expect(checkOf(result, 'host1', 'secret-id')?.summary).toMatch(/^expires in 29d 23h \(20\d\d-.*, accessor [0-9a-f-]{36}\)$/)
    expect((await status('--json', '--warn-before', '800h', '--strict')).code).toBe(2)
  })

  it('an unreachable host exits 4 while the others are checked', async () => {
    await bed.stopHost('host3')
    try {
      const r = await status('--json')
      expect(r.code).toBe(4)
      const result = json(r.stdout)
      expect(result.hosts.map((h) => h.verdict)).toEqual(['pass', 'pass', 'unreachable'])
      expect(checkOf(result, 'host3', 'reachable')?.summary).toMatch(/host3: cannot connect to 127\.0\.\d+\.13:22/)
    } finally {
      await bed.startHost('host3')
    }
  })

  it('reports an agent that fails to log in, warns of the shared lockout, and --login-test proves it with the deployed credentials', async () => {
    const file = join(root(0), 'vault/config/secret-id')
    const original = await readFile(file)
    await writeFile(file, '11111111-2222-3333-4444-555555555555\n')
    await compose(0, ['restart', 'vault-agent'])
    try {
      await bed.clearCommands()
      const r = await status('--json', '--login-test')
      expect(r.code).toBe(2)
      const result = json(r.stdout)
      expect(checkOf(result, 'host1', 'agent-auth')).toMatchObject({ status: 'fail', data: { lastError: 'invalid role or secret ID', failedLoginsAtVault: 1 } })
      expect(checkOf(result, 'host1', 'agent-auth')?.summary).toMatch(/^the agent cannot log in: invalid role or secret ID \(1 login error\(s\); last successful login .* ago\)\)$/)
      expect(checkOf(result, 'host1', 'agent-auth')?.hint).toContain('Vault locks an AppRole role-id out after 5 failed logins in 15 minutes, and every host shares it')
      expect(checkOf(result, 'host1', 'login-test')).toMatchObject({ status: 'fail', summary: 'AppRole login with the deployed credentials failed: Vault POST auth/approle/login failed (400): invalid role or secret ID' })
      expect(checkOf(result, 'host2', 'login-test')).toMatchObject({ status: 'pass', summary: 'AppRole login with the deployed credentials succeeded (policies: cwiq-shared-authentik-read, default); its token was revoked' })
      // two round trips with --login-test: the status script, then the credentials (never in a command line)
      const commands = await bed.commands('host2')
      expect(commands.map((c) => /authctl-(status|read)/.exec(c)?.[0])).toEqual(['authctl-status', 'authctl-read'])
    } finally {
      await writeFile(file, original)
      await compose(0, ['restart', 'vault-agent'])
    }
    const recovered = json((await status('--json', '-l', 'host1')).stdout)
    expect(checkOf(recovered, 'host1', 'agent-auth')).toMatchObject({ status: 'warn', summary: expect.stringMatching(/^last successful login .* after 1 login error\(s\)/) as string })
  })

  it('reports a secret-id that expired in Vault (exit 2)', async () => {
    // Vault's clock past the role's secret_id_ttl (720h): Vault forgets the secret-ids
    const res = await fetch(`${bed.vault?.addr}/__test/clock`, { method: 'POST', headers: { 'X-Vault-Token': bed.vault?.rootToken ?? '' }, body: JSON.stringify({ advance_ms: 721 * 3_600_000 }) })
    expect(res.ok).toBe(true)
    const r = await status('--json')
    expect(r.code).toBe(2)
    const result = json(r.stdout)
    for (const h of ['host1', 'host2', 'host3']) {
      expect(checkOf(result, h, 'secret-id')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^the file holds accessor [0-9a-f-]{36}, and Vault no longer has it: expired, used up or destroyed$/) as string })
    }
    expect(checkOf(result, 'host1', 'secret-id')?.hint).toContain('authctl setup -l host1 --new-secret-id')
  })

  it('never shows a secret: not on screen, in JSON, or in the hosts\' command lines', async () => {
    expect(allOutputs.join('\n')).toContain('login-test')
    await expectNoSecretShown(bed, home)
  })
})
