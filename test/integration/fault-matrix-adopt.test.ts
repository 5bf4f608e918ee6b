// The fault matrix (issue 16), adopt's rows: one host unreachable or locked, Vault 503 on a mint, SIGKILL and
// the connection cut during a swap, each from the Ansible era's shared secret-id, on a bed of its own
// (test/integration/support/fault-matrix.ts).
import { chown, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../support/wait-for.js'
import { spawnCli, type CliRun } from './support/cli.js'
import { conn, json } from './support/rotation-bed.js'
import { agentLoggedIn, cli, cutDuringRestart, FAST, heldAccessors, HOSTS, killDuringHost1Swap, leftBefore, liveAccessors, noLockLeft, r, readSecretIdFiles, secretIdsAgree, useFaultMatrixBed, VAULT_503, withForeignLock, withHostDown } from './support/fault-matrix.js'

useFaultMatrixBed()

describe('adopt', () => {
  const adopt = (...extra: string[]): Promise<CliRun> => cli(['adopt', '--yes', '--json', ...FAST, ...extra])
  interface AdoptJson { hosts: { host: string; status: string }[]; shared: { shared: string[]; destroyed: string[]; holders: string[]; kept: string | null }[] }
  const secretIdFile = (i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id')
  const role = () => r.vault.state.authMounts.get('approle/')!.roles.get('authentik')!
  async function asRoot(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/${path}`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify(body) })
    expect(res.ok, `${path}: ${res.status}`).toBe(true)
    return (await res.json().catch(() => ({}))) as Record<string, unknown>
  }

  // As secret-id-lifecycle.test.ts builds it: every secret-id authctl minted destroyed, a shared one in every
  // file, the records gone, each agent restarted on it. Returns the shared one's accessor.
  async function ansibleEra(): Promise<string> {
    for (const e of [...role().secretIds.values()]) if (!leftBefore.has(e.accessor)) await asRoot('secret-id-accessor/destroy', { secret_id_accessor: e.accessor })
    const { data } = (await asRoot('secret-id', {})) as { data: { secret_id: string; secret_id_accessor: string } }
    for (const i of HOSTS) {
      await writeFile(secretIdFile(i), data.secret_id + '\n', { mode: 0o400 })
      await chown(secretIdFile(i), 100, 1000)
      await rm(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), { force: true })
    }
    const restart = await cli(['restart', '--services', 'vault-agent', '--all-at-once', '--yes'])
    expect(restart.code, restart.stdout + restart.stderr).toBe(0)
    await readSecretIdFiles()
    expect(heldOnShared(data.secret_id_accessor)).toEqual([true, true, true])
    return data.secret_id_accessor
  }
  const heldOnShared = (shared: string): boolean[] => heldAccessors().map((a) => a === shared)

  // Mid-way: which hosts still run on the shared one (the others on one minted for them), every file's
  // secret-id live, the shared one kept (a host may still hold it), nothing else live that no host holds;
  // every agent but `cut`'s logged in (the stand-in's agent logs in inside the docker call a cut kills).
  async function midway(shared: string, onShared: boolean[], opts: { cut?: number; lockLeft?: boolean } = {}): Promise<void> {
    await readSecretIdFiles()
    const held = heldAccessors()
    expect(held.every((a) => a !== ''), `every host's secret-id is live in Vault: ${JSON.stringify(held)}`).toBe(true)
    expect(heldOnShared(shared), 'which hosts still hold the shared secret-id').toEqual(onShared)
    expect(liveAccessors().has(shared), 'the shared secret-id, while a host may still hold it').toBe(true)
    const orphans = [...liveAccessors()].filter((a) => !held.includes(a) && !leftBefore.has(a) && a !== shared)
    expect(orphans, 'secret-ids live in Vault that no host holds').toEqual([])
    for (const i of HOSTS) if (i !== opts.cut) expect(agentLoggedIn(i), `host${i + 1}'s agent logged in`).toBe(true)
    if (!opts.lockLeft) await noLockLeft()
  }

  // The follow-up run finishes: each host on its own secret-id (its metadata names it), the shared one destroyed.
  async function adoptFinishes(shared: string): Promise<void> {
    const run = await adopt()
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(json<AdoptJson>(run).shared[0]).toMatchObject({ destroyed: expect.arrayContaining([shared]), holders: [] })
    await secretIdsAgree()
    expect(liveAccessors().has(shared), 'the shared secret-id once no host holds it').toBe(false)
    const byAccessor = new Map([...role().secretIds.values()].map((e) => [e.accessor, e.metadata.host]))
    expect(heldAccessors().map((a) => byAccessor.get(a))).toEqual(['host1', 'host2', 'host3'])
  }

  it('one host unreachable: no host changed, exit 4; --max-fail 1 adopts the others and keeps the shared one; the next run finishes', async () => {
    const shared = await ansibleEra()
    await withHostDown(2, async () => {
      const run = await adopt()
      expect(run.code, run.stdout + run.stderr).toBe(4)
      expect(json<AdoptJson>(run).hosts.map((h) => h.status)).toEqual(['skipped', 'skipped', 'unreachable'])
      await midway(shared, [true, true, true])
      const partial = await adopt('--max-fail', '1')
      expect(partial.code, partial.stdout + partial.stderr).toBe(4)
      expect(json<AdoptJson>(partial).shared[0]).toMatchObject({ destroyed: [], holders: ['host3'] })
      await midway(shared, [false, false, true])
    })
    await adoptFinishes(shared)
  })

  it('one host locked by another run: no host changed, exit 3, the lock left to its holder; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = await withForeignLock(1, () => adopt())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    await midway(shared, [true, true, true])
    await adoptFinishes(shared)
  })

  it('Vault 503 on host2\'s mint: host2 and host3 untouched, the shared one kept; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = spawnCli(['adopt', ...conn(r), '--yes', ...FAST], r.env)
    // host1's mint went through: the next one is host2's
    await waitFor(() => /\[host1\] minted/.test(run.stderr()), 'host1\'s mint')
    r.vault.faults.failNext('auth/approle/role/authentik/secret-id', { ...VAULT_503, method: 'POST' })
    const done = await run.done
    expect(done.code, done.stdout + done.stderr).toBe(2)
    expect(done.stdout).toContain(`${shared} kept: host2, host3 may still hold it`)
    await midway(shared, [false, true, true])
    await adoptFinishes(shared)
  })

  it('SIGKILL during host1\'s swap: the shared one survives; the next run names the stale lock, after lock release it finishes', async () => {
    const shared = await ansibleEra()
    await killDuringHost1Swap(['adopt', '--yes', ...FAST])
    // host1 holds its new secret-id (written before the agent's restart); the killed run's lock stays
    await midway(shared, [false, true, true], { lockLeft: true })
    const locked = await adopt()
    expect(locked.code, locked.stdout + locked.stderr).toBe(3)
    expect(locked.stdout + locked.stderr).toContain('authctl lock release -l host1')
    expect(liveAccessors().has(shared)).toBe(true)
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    await adoptFinishes(shared)
  })

  it('the connection cut during host2\'s swap: neither the secret-id host2 may hold nor the shared one is destroyed; the next run finishes', async () => {
    const shared = await ansibleEra()
    const run = await cutDuringRestart(['adopt', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).toBe(4)
    expect(json<AdoptJson>(run).shared[0]).toMatchObject({ destroyed: [], holders: ['host2', 'host3'] })
    await midway(shared, [false, false, true], { cut: 1 })
    await adoptFinishes(shared)
  })
})

// Issue 16, the last gaps of one secret-id lifecycle: setup mints a host's secret-id only at its turn and puts
// the previous one back when the agent refuses the new one; a secret-id authctl minted for a host that no record
