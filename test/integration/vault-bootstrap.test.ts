// `authctl vault bootstrap` through the built CLI against the Vault test server: an empty Vault gets
// everything, a second run changes nothing, a drifted role or policy is reported and fixed, --check and
// a missing --yes change nothing, and a Vault set up by the runbook's own commands reads as unchanged.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { seedRunbook } from '../support/vault-server/seed.js'
import { call } from '../support/vault-server/test-client.js'
import { runCli } from './support/cli.js'

interface Result { check: boolean; objects: { kind: string; name: string; status: string; diff?: string; changes?: { field: string; from: string; to: string }[] }[]; userLockout: { source: string; threshold: number; durationS: number } | null; exitCode: number }

let server: VaultTestServer
let dir: string
let inventory: string
const env = () => ({ PATH: process.env.PATH, HOME: dir, VAULT_ADDR: server.addr, VAULT_TOKEN: server.rootToken, NO_COLOR: '1' })
const bootstrap = async (...extra: string[]) => {
  const r = await runCli(['vault', 'bootstrap', '-i', inventory, ...extra], env())
  return { ...r, json: extra.includes('--json') && r.stdout ? (JSON.parse(r.stdout) as Result) : undefined }
}
const statuses = (r: Result | undefined) => r?.objects.map((o) => `${o.kind} ${o.name}: ${o.status}`)
const v = (method: string, path: string, body?: unknown) => call(server.addr, method, path, { token: server.rootToken, body })
const policies = async () => ((await v('GET', 'sys/policies/acl?list=true')).body as { data: { keys: string[] } }).data.keys

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-bootstrap-'))
  inventory = join(dir, 'hosts.ini')
  await writeFile(inventory, '[authentik]\nh1\nh2\n')
})
beforeEach(async () => {
  server = await startVaultServer()
})
afterEach(() => server.close())

describe('authctl vault bootstrap on an empty Vault', () => {
  it('--check reports what it would create and changes nothing', async () => {
    const r = await bootstrap('--check', '--json')
    expect(r.code, r.stderr).toBe(0)
    expect(statuses(r.json)).toEqual(['policy cwiq-shared-authentik-read: created', 'auth-mount approle/: created', 'approle-role authentik: created', 'policy authctl-operator: created'])
    expect(r.json?.check).toBe(true)
    expect(r.json?.userLockout).toBeNull()
    expect(await policies()).toEqual(['default', 'root'])
    expect(server.state.authMounts.size).toBe(0)
  })

  it('without a terminal and without --yes it refuses with exit 5 before writing', async () => {
    const r = await bootstrap()
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('needs --yes when there is no terminal')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(await policies()).toEqual(['default', 'root'])
  })

  it('creates everything with the runbook settings, then a second run reports all unchanged', async () => {
    const first = await bootstrap('--yes', '--json')
    expect(first.code, first.stderr).toBe(0)
    expect(Object.keys(first.json!).sort()).toEqual(['check', 'exitCode', 'objects', 'userLockout', 'vault'])
    expect(statuses(first.json)).toEqual(['policy cwiq-shared-authentik-read: created', 'auth-mount approle/: created', 'approle-role authentik: created', 'policy authctl-operator: created'])
    const role = ((await v('GET', 'auth/approle/role/authentik')).body as { data: Record<string, unknown> }).data
    expect(role).toMatchObject({ token_policies: ['cwiq-shared-authentik-read'], token_ttl: 3600, token_max_ttl: 14400, secret_id_ttl: 2592000, secret_id_num_uses: 0 })
    expect(first.json?.userLockout).toMatchObject({ source: 'vault defaults', threshold: 5, durationS: 900 })
    const audit = (await readFile(join(dir, '.local/state/authctl/audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(audit.slice(-4).map((a) => a.object)).toEqual(['policy cwiq-shared-authentik-read', 'auth-mount approle/', 'approle-role authentik', 'policy authctl-operator'])
    const second = await bootstrap('--json')
    expect(second.code, second.stderr).toBe(0)
    expect(second.json?.objects.every((o) => o.status === 'unchanged')).toBe(true)
  })
})

describe('authctl vault bootstrap on a Vault set up by hand with the runbook', () => {
  beforeEach(async () => {
    await seedRunbook(server.addr, server.rootToken)
  })

  it('reads the runbook\'s own objects as unchanged and shows the operator policy diff', async () => {
    const r = await bootstrap('--check')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^policy cwiq-shared-authentik-read +unchanged$/m)
    expect(r.stdout).toMatch(/^auth-mount approle\/ +unchanged$/m)
    expect(r.stdout).toMatch(/^approle-role authentik +unchanged$/m)
    expect(r.stdout).toMatch(/^policy authctl-operator +would be updated$/m)
    expect(r.stdout).toContain('-path "sys/health" {')
    expect(r.stdout).toContain('+path "secret/metadata/cwiq/shared/authentik" {')
    expect(r.stdout).toContain('5 failed logins within 15m lock the role-id for 15m')
  })

  it('a changed role setting is reported and updated; --check changed nothing before', async () => {
    await v('POST', 'auth/approle/role/authentik', { token_ttl: '2h', secret_id_num_uses: 10 })
    const check = await bootstrap('--check', '--json')
    expect(check.json?.objects[2]).toEqual({ kind: 'approle-role', name: 'authentik', status: 'updated', changes: [{ field: 'token_ttl', from: '7200s', to: '3600s' }, { field: 'secret_id_num_uses', from: '10', to: '0' }] })
    expect(((await v('GET', 'auth/approle/role/authentik')).body as { data: { token_ttl: number } }).data.token_ttl).toBe(7200)
    const r = await bootstrap('--yes')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^approle-role authentik +updated: token_ttl 7200s → 3600s, secret_id_num_uses 10 → 0$/m)
    expect(((await v('GET', 'auth/approle/role/authentik')).body as { data: { token_ttl: number; secret_id_num_uses: number } }).data).toMatchObject({ token_ttl: 3600, secret_id_num_uses: 0 })
  })

  it('reports tuned user-lockout settings of the AppRole mount', async () => {
    await v('POST', 'sys/auth/approle/tune', { user_lockout_config: { lockout_threshold: '3', lockout_duration: '30m', lockout_counter_reset_duration: '10m' } })
    const r = await bootstrap('--check')
    expect(r.stdout).toContain('user lockout on auth/approle: tuned on the mount\n  3 failed logins within 10m lock the role-id for 30m.')
    expect(r.stdout).toContain('Every host shares that one role-id')
  })

  it('auth/approle taken by another auth type is a Vault error (exit 6), nothing written', async () => {
    const other = await startVaultServer()
    try {
      other.state.authMounts.set('approle/', { type: 'userpass', description: '', accessor: 'auth_userpass_1', roles: new Map() })
      const r = await runCli(['vault', 'bootstrap', '-i', inventory, '--yes'], { ...env(), VAULT_ADDR: other.addr, VAULT_TOKEN: other.rootToken })
      expect(r.code).toBe(6)
      expect(r.stderr).toContain('auth/approle is an auth method of type userpass, not approle')
      expect(other.state.policies.has('authctl-operator')).toBe(false)
    } finally {
      await other.close()
    }
  })
})

describe('authctl vault bootstrap --print', () => {
  it('prints the three policies as HCL without contacting Vault, from the inventory\'s variables', async () => {
    const inv = join(dir, 'custom.ini')
    await writeFile(inv, '[all:vars]\nvault_kv_path=acme/authentik\nvault_operator_policy=ak-operator\nvault_approle=ak-stack\n[authentik]\nh1\n')
    const r = await runCli(['vault', 'bootstrap', '-i', inv, '--print'], { ...env(), VAULT_ADDR: 'http://127.0.0.1:9' })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('# ---- policy ak-operator\n')
    expect(r.stdout).toContain('path "secret/data/acme/authentik/*" {\n  capabilities = ["read", "list"]\n}')
    expect(r.stdout).toContain('path "auth/approle/role/ak-stack/role-id" {\n  capabilities = ["read"]\n}')
    expect(r.stdout).toContain('path "auth/approle/role/ak-stack/secret-id" {\n  capabilities = ["update", "list"]\n}')
    expect(r.stdout).not.toContain('role/+/')
    expect(r.stdout).toContain('path "sys/auth/approle" {\n  capabilities = ["create", "update", "sudo"]\n}')
  })
})
