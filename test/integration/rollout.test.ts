// Rolling restarts under failure: an unhealthy host stops the rollout before the next host is
// touched, and the restart it owes is remembered on the host and done by the next run.
import { mkdir, readFile, rm, writeFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { clearFaults, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { cliEnv, runCli } from './support/cli.js'

let bed: Testbed
let env: NodeJS.ProcessEnv
const args = () => ['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--wait-timeout', '5s']
const marker = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik', '.authctl-pending-restart')

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3 })
  ;({ env } = await cliEnv(bed))
  const first = await runCli(args(), env)
  expect(first.code, first.stderr).toBe(0)
})

afterAll(async () => {
  await bed?.stop()
})

it('an unhealthy host stops the rollout; the owed restart is done by the next run', async () => {
  const override = join(dirname(bed.inventoryPath), 'templates')
  await mkdir(override, { recursive: true })
  // an override is logic-free text (README "Template overrides"): start from the deployed file
  await writeFile(join(override, 'config.hcl.ejs'), '# rollout test\n' + (await readFile(join(bed.hosts[0]!.dataDir, 'authentik/vault/config/config.hcl'), 'utf8')))
  writeFaults(stubRootOf(bed.hosts[0]!.dataDir), { unhealthy: ['server'] })

  const failed = await runCli(args(), env)
  expect(failed.code).toBe(2)
  expect(failed.stdout).toMatch(/host1\s+failed\s+host1: (server and worker did not come back healthy|docker compose up did not get every service healthy)/)
  expect(failed.stdout).toMatch(/host2\s+skipped\s+not changed: rollout stopped because host1 failed/)
  expect(failed.stdout).toMatch(/host3\s+skipped/)
  expect(failed.stdout).toContain('host1: On host1 read the logs: sudo docker compose -f /data/authentik/docker-compose.yml -p authentik logs --tail 50 vault-agent server worker')
  expect((await readFile(marker(0), 'utf8')).trim()).toBe('agent')
  // host2 was not touched: its config still lacks the change
  expect(await readFile(join(bed.hosts[1]!.dataDir, 'authentik/vault/config/config.hcl'), 'utf8')).not.toContain('# rollout test')

  clearFaults(stubRootOf(bed.hosts[0]!.dataDir))
  const again = await runCli(args(), env)
  expect(again.code, again.stderr).toBe(0)
  expect(again.stderr).toContain('[host1] restart vault-agent, then server and worker (owed by an earlier run that did not finish)')
  expect(again.stdout).toMatch(/host1\s+changed\s+changed=0 .*restarted=vault-agent,server,worker healthy=yes/)
  expect(again.stdout).toMatch(/host2\s+changed\s+changed=1/)
  await expect(stat(marker(0))).rejects.toThrow(/ENOENT/)
})

it('an agent that cannot log in after its restart fails its host and stops the rollout, although its old .env and health remain', async () => {
  // a bad vault_addr reaches config.hcl (the built-in template renders it; no override pins the address):
  // the agent restarts, cannot log in, and the tmpfs keeps the old .env
  await rm(join(dirname(bed.inventoryPath), 'templates'), { recursive: true, force: true })
  const original = await readFile(bed.inventoryPath, 'utf8')
  await writeFile(bed.inventoryPath, original.replace(/^vault_addr=.*$/m, 'vault_addr=http://127.0.0.1:9'))
  try {
    const failed = await runCli(args(), env)
    expect(failed.code, failed.stdout + failed.stderr + (await readFile(join(bed.hosts[0]!.dataDir, '.docker-stub/logs/authentik/vault-agent.log'), 'utf8'))).toBe(2)
    expect(failed.stdout).toMatch(/host1\s+failed\s+host1: vault-agent did not log in to Vault after its restart/)
    expect(failed.stdout).toMatch(/host2\s+skipped\s+not changed: rollout stopped because host1 failed/)
    expect(await readFile(join(bed.hosts[1]!.dataDir, 'authentik/vault/config/config.hcl'), 'utf8')).not.toContain('127.0.0.1:9')
    expect((await readFile(marker(0), 'utf8')).trim()).toBe('agent')
  } finally {
    await writeFile(bed.inventoryPath, original)
  }
  const again = await runCli(args(), env)
  expect(again.code, again.stdout + again.stderr).toBe(0)
  expect(again.stdout).toMatch(/host1\s+changed\s+.*restarted=vault-agent,server,worker healthy=yes/)
  await expect(stat(marker(0))).rejects.toThrow(/ENOENT/)
})

async function liveAccessors(): Promise<string[]> {
  const res = await fetch(`${bed.vault?.addr}/v1/auth/approle/role/authentik/secret-id?list=true`, { headers: { 'X-Vault-Token': bed.vault?.rootToken ?? '' } })
  return res.status === 404 ? [] : ((await res.json()) as { data: { keys: string[] } }).data.keys
}
const record = async (i: number) => (await readFile(join(bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor'), 'utf8')).trim().split('\n')

it('a failed converge after minting keeps the replaced secret-id recorded as owed; the next successful run destroys it', async () => {
  const [current] = (await record(0))[0]!.split(' ')
  writeFaults(stubRootOf(bed.hosts[0]!.dataDir), { unhealthy: ['server'] })
  try {
    const failed = await runCli([...args(), '-l', 'host1', '--new-secret-id', '--yes', '--json'], env)
    expect(failed.code).toBe(2)
    const host = (JSON.parse(failed.stdout) as { hosts: { warnings: string[]; secretId: { accessor: string } }[] }).hosts[0]!
    expect(host.warnings.join('\n')).toContain(`replaced secret-id(s) ${current} stay valid until a run succeeds on this host`)
    expect(await record(0)).toEqual([expect.stringMatching(new RegExp(`^${host.secretId.accessor} [0-9a-f]{64}$`)), `owed ${current}`])
    expect(await liveAccessors()).toContain(current)
  } finally {
    clearFaults(stubRootOf(bed.hosts[0]!.dataDir))
  }
  const healed = await runCli([...args(), '-l', 'host1'], env)
  expect(healed.code, healed.stdout + healed.stderr).toBe(0)
  expect(healed.stderr).toContain(`[host1] destroyed secret-id accessor ${current}`)
  expect(await liveAccessors()).not.toContain(current)
  expect(await record(0)).toHaveLength(1)
})

it('a host cloned from another (same secret-id and record) gets its own; the original keeps its secret-id', async () => {
  const from = join(bed.hosts[0]!.dataDir, 'authentik/vault/config')
  const to = join(bed.hosts[1]!.dataDir, 'authentik/vault/config')
  for (const f of ['secret-id', 'secret-id.accessor']) await writeFile(join(to, f), await readFile(join(from, f)))
  const [host1Accessor] = (await record(0))[0]!.split(' ')
  const r = await runCli([...args(), '-l', 'host2', '--json'], env)
  expect(r.code, r.stdout + r.stderr).toBe(0)
  const host = (JSON.parse(r.stdout) as { hosts: { warnings: string[]; secretId: { action: string; reason: string } }[] }).hosts[0]!
  expect(host.secretId).toMatchObject({ action: 'mint', reason: 'its secret-id belongs to host1' })
  expect(host.warnings[0]).toMatch(/minted for host1, not host2 \(a cloned or tampered host\?\)/)
  expect(await liveAccessors()).toContain(host1Accessor)
  expect((await record(1))[0]).not.toContain(host1Accessor!)
})
