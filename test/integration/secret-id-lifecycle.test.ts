// The secret-id lifecycle end to end on the test bed: an Ansible-era fleet (one shared secret-id whose
// metadata names no host, no records) is taken over with `authctl adopt`; a double Ctrl-C during a
// host's swap destroys nothing and the next run settles it; `status` names the secret-id each file
// holds. Every case asserts the end state in the Vault test server and on the hosts: which secret-ids
// are live, which one each file holds, that every agent logs in, and that none a host holds is destroyed.
import { createHash } from 'node:crypto'
import { chown, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearFaults, stubRootOf, writeFaults } from '../support/docker-stub/state.mjs'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { cliEnv, runCli, spawnCli } from './support/cli.js'
import { expectNoSecretShown } from './support/sentinels.js'
import { waitFor } from '../support/wait-for.js'

let bed: Testbed
let env: NodeJS.ProcessEnv
let home: string
let shared: { secretId: string; accessor: string }
const conn = () => ['-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
const HOSTS = [0, 1, 2]
const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const secretIdPath = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id')
const recordPath = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik/vault/config/secret-id.accessor')
const fileSha = async (i: number) => sha(await readFile(secretIdPath(i), 'utf8'))

// Vault as root, the way the runbook's operator would look at it.
async function vault(path: string, body?: unknown, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${bed.vault!.addr}/v1/${path}`, { method, headers: { 'X-Vault-Token': bed.vault!.rootToken }, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}
const role = 'auth/approle/role/authentik'
async function liveAccessors(): Promise<Map<string, string | undefined>> {
  const list = await vault(`${role}/secret-id?list=true`, undefined, 'GET')
  const keys = list.status === 404 ? [] : ((list.json.data as { keys: string[] }).keys)
  const out = new Map<string, string | undefined>()
  for (const a of keys) {
    const info = await vault(`${role}/secret-id-accessor/lookup`, { secret_id_accessor: a })
    if (info.status === 200) out.set(a, ((info.json.data as { metadata?: Record<string, string> }).metadata ?? {}).host)
  }
  return out
}
// The accessor the host's record names as current, and the one it names as pending.
async function record(i: number): Promise<{ current?: string; currentSha?: string; pending?: string; pendingSha?: string }> {
  const lines = (await readFile(recordPath(i), 'utf8').catch(() => '')).split('\n').filter(Boolean)
  const out: { current?: string; currentSha?: string; pending?: string; pendingSha?: string } = {}
  for (const l of lines) {
    const w = l.split(' ')
    if (w[0] === 'pending') [out.pending, out.pendingSha] = [w[1], w[2]]
    else if (w[0] !== 'owed') [out.current, out.currentSha] = [w[0], w[1]]
  }
  return out
}

interface StatusJson { hosts: { host: string; checks: { id: string; status: string; summary: string; data?: Record<string, unknown> }[] }[] }
const checkOf = (s: StatusJson, host: string, id: string) => s.hosts.find((h) => h.host === host)!.checks.find((c) => c.id === id)!

beforeAll(async () => {
  bed = await startTestbed({ hosts: 3, vault: true })
  ;({ home, env } = await cliEnv(bed))
  const first = await runCli(['setup', ...conn(), '--wait-timeout', '30s'], env)
  expect(first.code, first.stderr).toBe(0)
  // the Ansible-era fleet: one secret-id minted without metadata (runbook Step 5), on every host, no records
  const minted = await vault(`${role}/secret-id`, {})
  const data = minted.json.data as { secret_id: string; secret_id_accessor: string }
  shared = { secretId: data.secret_id, accessor: data.secret_id_accessor }
  for (const i of HOSTS) {
    const own = await record(i)
    await vault(`${role}/secret-id-accessor/destroy`, { secret_id_accessor: own.current })
    await writeFile(secretIdPath(i), shared.secretId + '\n', { mode: 0o400 })
    await chown(secretIdPath(i), 100, 1000)
    await rm(recordPath(i))
  }
  const restart = await runCli(['restart', ...conn(), '--services', 'vault-agent'], env)
  expect(restart.code, restart.stdout + restart.stderr).toBe(0)
}, 240_000)

afterAll(async () => {
  await bed?.stop()
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('secret-id lifecycle on the bed', { shuffle: false }, () => {
  it('status names the Ansible-era state: a secret-id no record describes, and the agents log in with it', async () => {
    const r = await runCli(['status', ...conn(), '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as StatusJson
    for (const h of ['host1', 'host2', 'host3']) {
      expect(checkOf(s, h, 'secret-id')).toMatchObject({ status: 'warn', summary: expect.stringContaining('did not record') })
      expect(checkOf(s, h, 'agent-auth').status).toBe('pass')
    }
  })

  it('adopt --check shows the plan and changes nothing; without --yes and no terminal it refuses', async () => {
    const before = await liveAccessors()
    const r = await runCli(['adopt', ...conn(), '--check'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/ADOPT \(check\) RECAP/)
    expect(r.stdout).toMatch(/host1\s+would adopt\s+would get its own secret-id \(now: unrecorded\)/)
    expect(r.stdout).toContain(`shared secret-id(s) ${shared.accessor} kept: host1, host2, host3 would first get their own`)
    for (const i of HOSTS) expect(await fileSha(i)).toBe(sha(shared.secretId + '\n'))
    expect(await liveAccessors()).toEqual(before)
    const refused = await runCli(['adopt', ...conn()], env)
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('needs --yes when there is no terminal')
  })

  it('adopt -l host1 gives host1 its own secret-id, proven by its agent, and keeps the shared one for the others', async () => {
    const r = await runCli(['adopt', ...conn(), '-l', 'host1', '--yes', '--json'], env)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const own = await record(0)
    const live = await liveAccessors()
    expect(live.get(own.current!)).toBe('host1')
    expect(own.currentSha).toBe(await fileSha(0))
    expect(own.pending).toBeUndefined()
    expect(live.has(shared.accessor)).toBe(true)
    const result = JSON.parse(r.stdout) as { shared: { shared: string[]; destroyed: string[]; kept: string }[] }
    expect(result.shared[0]).toMatchObject({ shared: [shared.accessor], destroyed: [], kept: expect.stringContaining('--limit') })
    // status: host1's file holds its own (matched by checksum) and the shared one is still live in Vault
    const status = JSON.parse((await runCli(['status', ...conn(), '-l', 'host1', '--json'], env)).stdout) as StatusJson
    expect(checkOf(status, 'host1', 'secret-id')).toMatchObject({ status: 'pass', data: { accessor: own.current, held: 'current' } })
    expect(checkOf(status, 'host1', 'secret-id-left-live')).toMatchObject({ status: 'warn', summary: expect.stringContaining(shared.accessor) })
    expect(checkOf(status, 'host1', 'agent-auth').status).toBe('pass')
  })

  it('a double Ctrl-C during host2\'s swap destroys nothing a host may hold; status tells which one the file holds; the next adopt settles it', async () => {
    const root = stubRootOf(bed.hosts[1]!.dataDir)
    // slow docker calls on host2: the swap's agent restart is still running when the operator gives up
    writeFaults(root, { slowMs: 4000 })
    const run = spawnCli(['adopt', ...conn(), '-l', 'host2', '--yes'], env)
    const sharedSha = sha(shared.secretId + '\n')
    await waitFor(async () => run.ended() || (await fileSha(1)) !== sharedSha, 'host2\'s secret-id to be swapped', 60_000, 50)
    expect(run.ended(), `host2's secret-id was never swapped: ${run.stdout()}${run.stderr()}`).toBe(false)
    run.kill('SIGINT')
    await new Promise((resolve) => setTimeout(resolve, 200))
    run.kill('SIGINT')
    const done = await run.done
    const [code, out] = [done.code, done.stdout + done.stderr]
    clearFaults(root)
    expect(code, out).toBe(130)
    expect(out).toMatch(/outcome of the secret-id swap is unknown/)
    const rec = await record(1)
    // the host holds the new one, recorded as pending; neither it nor the shared one was destroyed
    expect(rec.pendingSha).toBe(await fileSha(1))
    const live = await liveAccessors()
    expect(live.get(rec.pending!)).toBe('host2')
    expect(live.has(shared.accessor)).toBe(true)

    const status = await runCli(['status', ...conn(), '-l', 'host2', '--json'], env)
    const check = checkOf(JSON.parse(status.stdout) as StatusJson, 'host2', 'secret-id')
    expect(check).toMatchObject({ status: 'warn', data: { accessor: rec.pending, held: 'pending' } })

    // the next adopt does not take the unproven swap for done: host2 gets a secret-id its agent logs in with
    const again = await runCli(['adopt', ...conn(), '--yes', '--json'], env)
    expect(again.code, again.stdout + again.stderr).toBe(0)
    const after = await liveAccessors()
    const records = await Promise.all(HOSTS.map(record))
    for (const i of HOSTS) {
      expect(records[i]!.currentSha).toBe(await fileSha(i))
      expect(after.get(records[i]!.current!)).toBe(`host${i + 1}`)
    }
    // every host on its own: the shared one and the unproven one are gone, nothing else is live
    expect([...after.keys()].sort()).toEqual(records.map((r) => r.current!).sort())
    const result = JSON.parse(again.stdout) as { shared: { destroyed: string[] }[] }
    expect(result.shared[0]?.destroyed).toEqual([shared.accessor])
    const final = JSON.parse((await runCli(['status', ...conn(), '--json'], env)).stdout) as StatusJson
    for (const h of ['host1', 'host2', 'host3']) {
      expect(checkOf(final, h, 'secret-id').status).toBe('pass')
      expect(checkOf(final, h, 'secret-id-left-live').status).toBe('pass')
      expect(checkOf(final, h, 'agent-auth').status).toBe('pass')
    }
  }, 180_000)

  it('regen-secret-id with host3\'s connection cut during the swap: both secret-ids stay live, status names the one the file holds, setup settles it', async () => {
    const root = stubRootOf(bed.hosts[2]!.dataDir)
    const before = await record(2)
    expect(before.currentSha).toBe(await fileSha(2))
    writeFaults(root, { slowMs: 4000 })
    const run = runCli(['regen-secret-id', ...conn(), '-l', 'host3', '--yes', '--json'], env)
    await waitFor(async () => (await fileSha(2)) !== before.currentSha, 'host3\'s secret-id to be swapped', 60_000, 50)
    // the host goes away with the agent's restart in flight: the outcome is unknown to authctl
    await bed.stopHost('host3')
    const r = await run
    clearFaults(root)
    await bed.startHost('host3')
    expect(r.code, r.stdout + r.stderr).toBe(4)
    expect(r.stdout + r.stderr).toMatch(/outcome of the secret-id swap is unknown/)
    const rec = await record(2)
    expect(rec.pendingSha).toBe(await fileSha(2))
    const live = await liveAccessors()
    // neither destroyed: the new one (the file holds it) and the previous one
    expect(live.get(rec.pending!)).toBe('host3')
    expect(live.get(before.current!)).toBe('host3')
    const status = JSON.parse((await runCli(['status', ...conn(), '-l', 'host3', '--json'], env)).stdout) as StatusJson
    expect(checkOf(status, 'host3', 'secret-id')).toMatchObject({ status: 'warn', data: { accessor: rec.pending, held: 'pending' } })
    expect(checkOf(status, 'host3', 'secret-id-left-live')).toMatchObject({ status: 'warn', summary: expect.stringContaining(before.current!) })

    // the cut run could not release host3's lock: the operator clears it as the hint says, then the next
    // run settles the swap from the file's checksum: the one the file holds stays, the other is destroyed
    const released = await runCli(['lock', 'release', ...conn(), '-l', 'host3', '--yes'], env)
    expect(released.code, released.stdout + released.stderr).toBe(0)
    const setup = await runCli(['setup', ...conn(), '-l', 'host3', '--wait-timeout', '30s'], env)
    expect(setup.code, setup.stdout + setup.stderr).toBe(0)
    const settled = await record(2)
    expect(settled).toMatchObject({ current: rec.pending, currentSha: await fileSha(2) })
    expect(settled.pending).toBeUndefined()
    const after = await liveAccessors()
    expect(after.has(before.current!)).toBe(false)
    expect(after.get(rec.pending!)).toBe('host3')
    const final = JSON.parse((await runCli(['status', ...conn(), '-l', 'host3', '--json'], env)).stdout) as StatusJson
    for (const id of ['secret-id', 'secret-id-left-live', 'agent-auth']) expect(checkOf(final, 'host3', id).status, id).toBe('pass')
  }, 180_000)

  it('never shows a secret, the shared one included', async () => {
    await expectNoSecretShown(bed, home, [shared.secretId])
  })
})
