// With a token holding only the operator policy that `vault bootstrap` generates, every command of
// authctl but bootstrap itself works against the test bed (2 real sshd hosts, the seeded Vault test
// server), and a request outside the policy is denied.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { runCli } from './support/cli.js'

let bed: Testbed
let home: string
let operatorToken = ''

const vault = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${bed.vault!.addr}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) }
}
const env = (token: string) => ({ PATH: process.env.PATH, HOME: home, VAULT_ADDR: bed.vault!.addr, VAULT_TOKEN: token, NO_COLOR: '1' })
const op = (args: string[], input?: string) => runCli(args, env(operatorToken), 120_000, input)
const hostArgs = () => ['-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]

beforeAll(async () => {
  bed = await startTestbed({ hosts: 2 })
  home = await mkdtemp(join(tmpdir(), 'authctl-operator-home-'))
})
afterAll(async () => {
  await bed?.stop()
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('the generated operator policy on the test bed', { shuffle: false }, () => {
  it('bootstrap (admin token) finds the runbook\'s setup unchanged and writes the generated operator policy', async () => {
    const r = await runCli(['vault', 'bootstrap', '-i', bed.inventoryPath, '--yes', '--json'], env(bed.vault!.rootToken))
    expect(r.code, r.stderr).toBe(0)
    const objects = (JSON.parse(r.stdout) as { objects: { name: string; status: string }[] }).objects
    expect(objects.map((o) => `${o.name} ${o.status}`)).toEqual(['cwiq-shared-authentik-read unchanged', 'approle/ unchanged', 'authentik unchanged', 'authctl-operator updated'])
    const created = await vault('POST', 'auth/token/create', bed.vault!.rootToken, { policies: ['authctl-operator'], display_name: 'operator-generated' })
    operatorToken = (created.body as { auth: { client_token: string; policies: string[] } }).auth.client_token
    expect((created.body as { auth: { policies: string[] } }).auth.policies).toEqual(['authctl-operator', 'default'])
  })

  it('setup succeeds: first deploy, a no-change run, and a new secret-id that destroys the old one', async () => {
    const first = await op(['setup', ...hostArgs(), '--wait-timeout', '30s', '--json'])
    expect(first.code, first.stderr + first.stdout).toBe(0)
    const hosts = (r: { stdout: string }) => (JSON.parse(r.stdout) as { hosts: { status: string; healthy: boolean | null; secretId?: { action: string } }[] }).hosts
    expect(hosts(first).map((h) => [h.status, h.healthy, h.secretId?.action])).toEqual([['changed', true, 'mint'], ['changed', true, 'mint']])
    const again = await op(['setup', ...hostArgs(), '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(hosts(again).map((h) => h.secretId?.action)).toEqual(['keep', 'keep'])
    const renewed = await op(['setup', ...hostArgs(), '-l', 'host1', '--new-secret-id', '--yes', '--wait-timeout', '30s', '--json'])
    expect(renewed.code, renewed.stderr + renewed.stdout).toBe(0)
    expect(hosts(renewed)[0]?.secretId?.action).toBe('mint')
    const accessors = await vault('GET', 'auth/approle/role/authentik/secret-id?list=true', bed.vault!.rootToken)
    expect((accessors.body as { data: { keys: string[] } }).data.keys).toHaveLength(2) // host1's old one was destroyed
  })

  it('the secrets and db commands succeed', async () => {
    const show = await op(['secrets', 'show', '-i', bed.inventoryPath, '--json'])
    expect(show.code, show.stderr).toBe(0)
    const init = await op(['secrets', 'init', '-i', bed.inventoryPath, '--yes', '--json'])
    expect(init.code, init.stderr).toBe(0)
    expect((JSON.parse(init.stdout) as { secrets: { status: string }[] }).secrets.map((s) => s.status)).toEqual(['exists', 'exists'])
    const force = await op(['secrets', 'init', '-i', bed.inventoryPath, '--force', '--yes', '--json'])
    expect(force.code, force.stderr).toBe(0)
    expect((JSON.parse(force.stdout) as { secrets: { status: string }[] }).secrets.map((s) => s.status)).toEqual(['overwritten', 'overwritten'])
    const setHost = await op(['db', 'set-host', '-i', bed.inventoryPath, '--host', 'localhost', '--yes', '--json'])
    expect(setHost.code, setHost.stderr).toBe(0)
    expect(JSON.parse(setHost.stdout)).toMatchObject({ old: '127.0.0.1', new: 'localhost', status: 'updated' })
  })

  it('the commands that do not use Vault succeed too', async () => {
    for (const args of [['ssh-check', ...hostArgs()], ['lock', 'status', ...hostArgs()], ['inventory', '--list', '-i', bed.inventoryPath], ['vault', 'bootstrap', '-i', bed.inventoryPath, '--print']]) {
      const r = await op(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    }
  })

  it('a request outside the policy is denied: bootstrap itself, another KV folder, a policy write', async () => {
    const r = await op(['vault', 'bootstrap', '-i', bed.inventoryPath, '--check'])
    expect(r.code).toBe(6)
    expect(r.stderr).toMatch(/^Error: Permission denied: the token lacks "read" on sys\//m)
    expect((await vault('GET', 'secret/data/cwiq/shared/other', operatorToken)).status).toBe(403)
    expect((await vault('PUT', 'sys/policies/acl/authctl-operator', operatorToken, { policy: 'path "*" { capabilities = ["sudo"] }' })).status).toBe(403)
    expect((await vault('GET', 'auth/approle/role/authentik', operatorToken)).status).toBe(403)
  })

  it('mints secret-ids for the stack\'s role only: another role on the same mount is refused', async () => {
    expect((await vault('POST', 'auth/approle/role/other-stack', bed.vault!.rootToken, { token_policies: ['default'] })).status).toBe(204)
    expect((await vault('POST', 'auth/approle/role/authentik/secret-id', operatorToken, {})).status).toBe(200)
    const other = await vault('POST', 'auth/approle/role/other-stack/secret-id', operatorToken, {})
    expect(other.status).toBe(403)
    expect(JSON.stringify(other.body)).toContain('permission denied')
    expect((await vault('GET', 'auth/approle/role/other-stack/role-id', operatorToken)).status).toBe(403)
  })
})
