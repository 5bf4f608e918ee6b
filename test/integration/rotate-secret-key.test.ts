// `authctl rotate-secret-key` end to end through the built CLI, on a rotation bed of its own
// (test/integration/support/rotations.ts): the confirmation, the patch and the all-at-once restart, a concurrent
// change, one host unreachable, and a kill after the Vault write resumed from another bastion. After the last test,
// every output is searched for every secret.
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clearFaults, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { runCli, spawnCli } from './support/cli.js'
import { conn, CONFIG_KEY, kv, renderedEnv, runOnTerminal, startedAt } from './support/rotation-bed.js'
import { waitFor } from '../support/wait-for.js'
import { r, requestsBefore, useRotationsBed, vaultWrite } from './support/rotations.js'

useRotationsBed('rotate-secret-key')

describe('authctl rotate-secret-key', () => {
  const rotateKey = (args: string[]) => runCli(['rotate-secret-key', ...conn(r), ...args], r.env, 180_000)

  it('without a terminal and without --yes refuses with exit 5 before reading anything', async () => {
    const run = await rotateKey([])
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('authctl rotate-secret-key changes production state and needs --yes')
    expect(r.vault.requests.length).toBe(requestsBefore)
  })

  it('on a terminal it shows the plan with the logout warning and asks; "n" changes nothing (exit 5)', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await runOnTerminal(r, ['rotate-secret-key', ...conn(r)], 'n')
    expect(run.asked).toBe(true)
    expect(run.code).toBe(5)
    expect(run.output).toContain(`2. patch secret_key as version ${before.version + 1} (check-and-set on ${before.version})`)
    expect(run.output).toContain('3. restart host1, host2, host3 all at once (HA instances must share the key)')
    expect(run.output).toContain('Warning: every user is logged out')
    expect(run.output).toContain('not confirmed: nothing was changed')
    expect(kv(r, CONFIG_KEY)).toMatchObject({ version: before.version, data: before.data })
  })

  it('patches a new 64-character key as the next version, restarts every host at once, every .env carries it, and warns that users are logged out', async () => {
    const before = kv(r, CONFIG_KEY)
    // slow docker calls make each host's restart last long enough that "at once" shows as overlap
    const stubs = r.bed.hosts.map((h) => stubRootOf(h.dataDir))
    for (const stub of stubs) writeFaults(stub, { slowMs: 300 })
    const run = await rotateKey(['--yes']).finally(() => stubs.forEach(clearFaults))
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toContain(`ROTATE SECRET KEY: rotated  secret/${CONFIG_KEY} version ${before.version} → ${before.version + 1}`)
    expect(run.stdout).toContain('warning: every user is logged out: sessions signed with the previous key are no longer valid')
    expect(run.stdout).toMatch(/host3\s+restarted\s+restarted=vault-agent,server,worker healthy=yes/)
    const after = kv(r, CONFIG_KEY)
    expect(after.version).toBe(before.version + 1)
    expect(after.data.secret_key).toMatch(/^[A-Za-z0-9]{64}$/)
    expect(r.vault.requests.slice(requestsBefore).filter((q) => q.path === `/v1/secret/data/${CONFIG_KEY}` && q.method !== 'GET').map((q) => [q.method, q.headers['content-type']])).toEqual([['PATCH', 'application/merge-patch+json']])
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${after.data.secret_key}'`)
    // all at once: every host's agent restarted before any host's worker did
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    const workers = [0, 1, 2].map((i) => startedAt(r, i, 'worker'))
    expect(agents.every((a) => workers.every((w) => a < w))).toBe(true)
  })

  it('a concurrent change makes the check-and-set fail: exit 6, nothing changed, no host restarted', async () => {
    const before = kv(r, CONFIG_KEY)
    const agents = [0, 1, 2].map((i) => startedAt(r, i))
    r.vault.faults.delay(`secret/data/${CONFIG_KEY}`, 1_000, { method: 'PATCH', count: 1 })
    const cli = spawnCli(['rotate-secret-key', ...conn(r), '--yes', '--json'], r.env)
    await waitFor(() => r.vault.requests.slice(requestsBefore).some((q) => q.method === 'PATCH' && q.path === `/v1/secret/data/${CONFIG_KEY}`), 'the patch')
    await vaultWrite(CONFIG_KEY, before.data)
    const run = await cli.done
    expect(run.code).toBe(6)
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'VaultError', message: `secret/${CONFIG_KEY} changed after it was read at version ${before.version} (check-and-set failed): nothing was changed`, exitCode: 6 } })
    expect(kv(r, CONFIG_KEY).data).toEqual(before.data)
    expect([0, 1, 2].map((i) => startedAt(r, i))).toEqual(agents)
  })
})

describe('rotate-secret-key: one transaction, journaled on the bastion and in Vault', () => {
  const rotateKey = (args: string[], env = r.env) => runCli(['rotate-secret-key', ...conn(r), ...args], env, 180_000)

  it('one host unreachable: Vault keeps the key, no host restarts, exit 4, and the hint names --max-fail 1 and --resume', async () => {
    const before = kv(r, CONFIG_KEY)
    const agents = [0, 2].map((i) => startedAt(r, i))
    await r.bed.stopHost('host3')
    let run
    try {
      run = await rotateKey(['--yes', '--json'])
    } finally {
      await r.bed.startHost('host3')
    }
    expect(run.code, run.stdout + run.stderr).toBe(4)
    const j = JSON.parse(run.stdout) as { status: string; error?: { message: string; hint?: string } }
    expect(j.status).toBe('aborted')
    expect(j.error?.message).toMatch(/host3 unreachable/)
    expect(j.error?.hint).toContain('authctl rotate-secret-key --max-fail 1')
    expect(kv(r, CONFIG_KEY)).toMatchObject({ version: before.version, data: before.data })
    expect([0, 2].map((i) => startedAt(r, i))).toEqual(agents)
  })

  it('killed after the Vault write: another bastion sees it (status, setup), and --resume there restarts every host at once', async () => {
    const before = kv(r, CONFIG_KEY)
    r.vault.faults.delay(`secret/data/${CONFIG_KEY}`, 1_500, { method: 'PATCH', count: 1 })
    const cli = spawnCli(['rotate-secret-key', ...conn(r), '--yes'], r.env)
    const file = join(r.home, '.local/state/authctl/rotations/rotate-secret-key.json')
    await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')).includes('"step": "vault-write"') && r.vault.requests.slice(requestsBefore).some((q) => q.method === 'PATCH' && q.path === `/v1/secret/data/${CONFIG_KEY}`), 'the journaled patch')
    cli.kill('SIGKILL')
    await cli.done
    await waitFor(() => kv(r, CONFIG_KEY).version === before.version + 1, 'the patch to land')
    const written = kv(r, CONFIG_KEY).data.secret_key!
    // the record beside the secret, as any Vault client reads it: names, steps and versions, no value
    const meta = r.vault.state.kv.get(CONFIG_KEY)
    const record = Object.entries(meta?.customMetadata ?? {}).filter(([k]) => k.startsWith('authctl-rotation.')).map(([, v]) => v).join('')
    expect(JSON.parse(record)).toMatchObject({ kind: 'rotate-secret-key', step: 'vault-write', fromVersion: before.version, toVersion: null })
    expect(record).not.toContain(written)

    const other = { ...r.env, HOME: await mkdtemp(join(tmpdir(), 'authctl-bastion-b-')) }
    const status = await runCli(['status', ...conn(r)], other)
    expect(status.code).toBe(2)
    expect(status.stdout).toContain('unfinished rotation: rotate-secret-key started')
    expect(status.stdout).toContain('finish it with: authctl rotate-secret-key --resume')
    // the killed run still holds the locks (it died with them): the operator clears them, as the hint says
    const locked = await rotateKey(['--resume', '--yes'], other)
    expect(locked.code, locked.stderr).toBe(3)
    expect((await runCli(['lock', 'release', ...conn(r), '--yes'], other)).code).toBe(0)
    const setup = await runCli(['setup', ...conn(r), '--check'], other)
    expect(setup.stderr).toContain('Warning: unfinished rotation: rotate-secret-key started')
    const resumed = await rotateKey(['--resume', '--yes', '--json'], other)
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'rotated', resumed: true, versions: { from: before.version, to: before.version + 1 }, owed: [] })
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    for (const i of [0, 1, 2]) expect(await renderedEnv(r, i)).toContain(`AUTHENTIK_SECRET_KEY='${written}'`)
    // the first bastion learns from Vault that it is finished
    const back = await runCli(['status', ...conn(r)], r.env)
    expect(back.stdout).not.toContain('unfinished rotation')
  })
})
