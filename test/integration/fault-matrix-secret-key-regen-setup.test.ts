// The fault matrix (issue 16), rotate-secret-key's, regen-secret-id's and setup's rows: one host locked or
// unreachable, Vault 503 on the patch or a mint, SIGKILL and the connection cut during a swap or the restart,
// and setup's secret-id lifecycle (put-back, orphans), on a bed of its own (test/integration/support/fault-matrix.ts).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clearFaults, writeFaults } from '../support/docker-stub/state.mjs'
import { waitFor } from '../support/wait-for.js'
import { spawnCli, type CliRun } from './support/cli.js'
import { conn, CONFIG_KEY, json, kv } from './support/rotation-bed.js'
import { cli, cutDuringRestart, FAST, heldAccessors, keyAgrees, killDuringHost1Swap, liveAccessors, r, readSecretIdFiles, secretIdFiles, secretIdsAgree, stub, useFaultMatrixBed, VAULT_503, withForeignLock, withHostDown } from './support/fault-matrix.js'

useFaultMatrixBed()

// Already proven in rotate-secret-key.test.ts: one host unreachable (aborted, hint --max-fail 1) and SIGKILL after the
// Vault write (another bastion resumes after lock release).
describe('rotate-secret-key', () => {
  const rotateKey = (...extra: string[]): Promise<CliRun> => cli(['rotate-secret-key', '--yes', '--json', ...FAST, ...extra])

  it('one host locked by another run: aborted before any change, exit 3', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await withForeignLock(1, () => rotateKey())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    expect(kv(r, CONFIG_KEY).version).toBe(before.version)
    await keyAgrees()
  })

  it('Vault 503 on the patch: no host restarted on a half-known key; --resume settles it', async () => {
    const before = kv(r, CONFIG_KEY)
    r.vault.faults.failNext(`secret/data/${CONFIG_KEY}`, { ...VAULT_503, method: 'PATCH' })
    const run = await rotateKey()
    expect(run.code, run.stdout + run.stderr).toBe(6)
    // whether the patch was taken is unknown: journaled, and no host restarted on a key Vault may not hold
    expect(json(run).error?.hint).toContain('rotate-secret-key --resume')
    expect(kv(r, CONFIG_KEY).version).toBe(before.version)
    const resumed = await rotateKey('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    await keyAgrees()
  })

  it('the connection to a host cut during the all-at-once restart: that host is owed, --resume restarts it', async () => {
    const before = kv(r, CONFIG_KEY)
    const run = await cutDuringRestart(['rotate-secret-key', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    expect(json(run)).toMatchObject({ status: 'unfinished', owed: ['host2'] })
    expect(kv(r, CONFIG_KEY).version).toBe(before.version + 1)
    const resumed = await rotateKey('--resume')
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    await keyAgrees()
  })
})

describe('regen-secret-id', () => {
  const regen = (...extra: string[]): Promise<CliRun> => cli(['regen-secret-id', '--yes', '--json', ...FAST, ...extra])
  interface RegenJson { hosts: { host: string; status: string; accessor: string | null; destroyed: string[]; restored: boolean }[] }

  it('one host unreachable: no host changed, exit 4, nothing minted left live', async () => {
    const before = await readSecretIdFiles()
    const run = await withHostDown(2, () => regen())
    expect(run.code, run.stdout + run.stderr).toBe(4)
    expect(json<RegenJson>(run).hosts.map((h) => h.status)).toEqual(['skipped', 'skipped', 'unreachable'])
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('one host locked by another run: no host changed, exit 3', async () => {
    const before = await readSecretIdFiles()
    const run = await withForeignLock(0, () => regen())
    expect(run.code, run.stdout + run.stderr).toBe(3)
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('Vault 503 on a mint: that host is not touched and the rollout stops there', async () => {
    const before = await readSecretIdFiles()
    r.vault.faults.failNext('auth/approle/role/authentik/secret-id', { ...VAULT_503, method: 'POST' })
    const run = await regen()
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    expect(await readSecretIdFiles()).toEqual(before)
    await secretIdsAgree()
  })

  it('SIGKILL after the mint (during host1\'s swap): lock release, then a new run leaves only the hosts\' secret-ids live (failed before the fix: the other hosts\' secret-ids, minted up front, stayed live)', async () => {
    await killDuringHost1Swap(['regen-secret-id', '--yes', ...FAST])
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    const again = await regen()
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })

  it('the connection cut during host2\'s swap: the secret-id host2 may hold is neither destroyed nor put back; the next run settles it', async () => {
    const run = await cutDuringRestart(['regen-secret-id', '--yes', '--json', ...FAST])
    expect(run.code, run.stdout + run.stderr).not.toBe(0)
    // nothing host2 may hold was destroyed
    await readSecretIdFiles()
    expect(heldAccessors()[1]).not.toBe('')
    const again = await regen()
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })
})

// adopt (issue 16 item 4) takes an Ansible-era fleet onto one secret-id per host. Each case starts from that

describe('setup and the secret-id lifecycle', () => {
  const role = () => r.vault.state.authMounts.get('approle/')!.roles.get('authentik')!
  const secretIdFile = (i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id')
  const recordLines = async (i: number): Promise<string[]> => (await readFile(join(r.bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), 'utf8')).split('\n').filter(Boolean)
  // A secret-id minted the way authctl mints one (or by hand with other metadata), never written to a host,
  // ten minutes ago (a run killed then): younger than the reaper's grace it would be left alone.
  async function mintByHand(metadata: Record<string, string>): Promise<string> {
    const res = await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/secret-id`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify({ metadata: JSON.stringify(metadata) }) })
    expect(res.ok, `minting by hand: ${res.status}`).toBe(true)
    const accessor = ((await res.json()) as { data: { secret_id_accessor: string } }).data.secret_id_accessor
    const entry = [...role().secretIds.values()].find((e) => e.accessor === accessor)!
    entry.creationTime -= 10 * 60_000
    return accessor
  }
  async function destroyByHand(accessor: string): Promise<void> {
    await fetch(`${r.vault.addr}/v1/auth/approle/role/authentik/secret-id-accessor/destroy`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken }, body: JSON.stringify({ secret_id_accessor: accessor }) })
  }

  it('setup --new-secret-id --serial 1 SIGKILLed during host1\'s swap: after lock release the next run leaves only the hosts\' secret-ids live (failed before the fix: host2\'s and host3\'s, minted up front, stayed live)', async () => {
    const before = new Set(liveAccessors())
    await killDuringHost1Swap(['setup', '--new-secret-id', '--yes', '--serial', '1', '--wait-timeout', '20s'])
    // killed at host1's turn: no other host had a secret-id minted for it
    const minted = [...liveAccessors()].filter((a) => !before.has(a))
    const byAccessor = new Map([...role().secretIds.values()].map((e) => [e.accessor, e.metadata.host]))
    expect(minted.map((a) => byAccessor.get(a))).toEqual(['host1'])
    expect((await cli(['lock', 'release', '--yes'])).code).toBe(0)
    const again = await cli(['regen-secret-id', '--yes', '--json', ...FAST])
    expect(again.code, again.stdout + again.stderr).toBe(0)
    await secretIdsAgree()
  })

  it('setup --new-secret-id whose new secret-id the agent cannot log in with: the previous one goes back, the new one is destroyed, the agent logs in with the old (failed before the fix: no put-back)', async () => {
    await readSecretIdFiles()
    const old = { file: secretIdFiles[1]!, accessor: heldAccessors()[1]! }
    const known = new Set(liveAccessors())
    // Vault binds host2's new secret-id to a network the agent is not in (as a secret-id's cidr_list does):
    // the agent's login with it is refused, authctl's lookup of it is not
    writeFaults(stub(1), { slowMs: 500 })
    const run = spawnCli(['setup', ...conn(r), '-l', 'host2', '--new-secret-id', '--yes', '--json', '--wait-timeout', '8s'], r.env)
    let refused = ''
    await waitFor(() => {
      const entry = [...role().secretIds.values()].find((e) => !known.has(e.accessor) && e.metadata.host === 'host2')
      if (entry) [entry.cidrList, refused] = [['192.0.2.0/24'], entry.accessor]
      return entry !== undefined
    }, 'host2\'s new secret-id', 60_000, 5)
    const done = await run.done
    clearFaults(stub(1))
    expect(done.code, done.stdout + done.stderr).toBe(2)
    expect(done.stdout + done.stderr).toContain('the previous secret-id was put back and stays valid, the new one was destroyed')
    expect(await readFile(secretIdFile(1), 'utf8')).toBe(old.file + '\n')
    expect((await recordLines(1))[0]).toMatch(new RegExp(`^${old.accessor} [0-9a-f]{64}$`))
    expect(liveAccessors().has(refused), 'the refused secret-id').toBe(false)
    expect(liveAccessors().has(old.accessor), 'the previous secret-id').toBe(true)
    await secretIdsAgree()
  })

  it('a secret-id authctl minted for host1 that no record names is destroyed by the next regen of host1; a shared one and host2\'s are not (failed before the fix: nothing destroyed it)', async () => {
    const orphan = await mintByHand({ host: 'host1', created_by: 'authctl' })
    const shared = await mintByHand({})
    const others = await mintByHand({ host: 'host2', created_by: 'authctl' })
    const byHand = await mintByHand({ host: 'host1' })
    try {
      const run = await cli(['regen-secret-id', '-l', 'host1', '--yes', '--json', ...FAST])
      expect(run.code, run.stdout + run.stderr).toBe(0)
      const live = liveAccessors()
      expect(live.has(orphan), 'host1\'s orphan').toBe(false)
      expect([live.has(shared), live.has(others), live.has(byHand)], 'the shared one, host2\'s, one minted by hand').toEqual([true, true, true])
      expect(json<{ hosts: { destroyed: string[] }[] }>(run).hosts[0]!.destroyed).toContain(orphan)
    } finally {
      for (const a of [shared, others, byHand]) await destroyByHand(a)
    }
    await secretIdsAgree()
  })

  it('setup reaps only when it writes: a no-change setup is one remote command a host and leaves the orphan; a setup with a change destroys it', async () => {
    const orphan = await mintByHand({ host: 'host3', created_by: 'authctl' })
    await r.bed.clearCommands()
    const quiet = await cli(['setup', '--json', '--wait-timeout', '20s'])
    expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0)
    for (const h of r.bed.hosts) {
      const commands = await r.bed.commands(h.name)
      expect(commands, h.name).toHaveLength(1)
      expect(commands[0]).toContain('authctl-state')
    }
    expect(liveAccessors().has(orphan), 'not reaped without the lock').toBe(true)
    const changed = await cli(['setup', '-l', 'host3', '--new-secret-id', '--yes', '--json', '--wait-timeout', '20s'])
    expect(changed.code, changed.stdout + changed.stderr).toBe(0)
    expect(liveAccessors().has(orphan), 'reaped once setup held host3\'s lock').toBe(false)
    await secretIdsAgree()
  })
})
