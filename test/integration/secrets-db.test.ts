// `authctl secrets init`, `secrets show` and `db set-host` through the built CLI against the Vault test
// server, with real terraform working directories (only `output` blocks: no provider, no network).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUNBOOK_ALPHABET } from '../../src/secrets/generate.js'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { allOutputs, runCli } from './support/cli.js'

let server: VaultTestServer
let dir: string
let inventory: string
const tf = { ok: '', other: '', noState: '' }
const DB_ADDRESS = 'authentik-db.abc123.us-west-2.rds.amazonaws.com'
const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: process.env.PATH, HOME: dir, VAULT_ADDR: server.addr, VAULT_TOKEN: server.rootToken, NO_COLOR: '1', TF_CLI_CONFIG_FILE: '/dev/null', ...extra })
const cli = (args: string[], extra?: NodeJS.ProcessEnv, input?: string) => runCli([...args, '-i', inventory], env(extra), 60_000, input)
const kv = (name: string) => server.state.kv.get(`cwiq/shared/authentik/${name}`)
const current = (name: string) => {
  const key = kv(name)
  return { version: key?.currentVersion, data: key?.versions.get(key.currentVersion)?.data as Record<string, string> | undefined }
}
const sha12 = (v: string) => `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 12)}`
const seen: string[] = [] // every secret value this file creates, for the final search

async function terraformDir(name: string, outputs: Record<string, string>, apply: boolean): Promise<string> {
  const d = join(dir, name)
  await mkdir(d)
  await writeFile(join(d, 'main.tf'), Object.entries(outputs).map(([k, v]) => `output "${k}" {\n  value = "${v}"\n}\n`).join(''))
  if (apply) {
    const run = promisify(execFile)
    const tfEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1' }
    await run('/usr/local/bin/terraform', ['init', '-input=false', '-no-color'], { cwd: d, env: tfEnv })
    await run('/usr/local/bin/terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: d, env: tfEnv })
  }
  return d
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-secrets-'))
  inventory = join(dir, 'hosts.ini')
  await writeFile(inventory, '[authentik]\nh1\n')
  server = await startVaultServer()
  tf.ok = await terraformDir('rds', { db_address: DB_ADDRESS }, true)
  tf.other = await terraformDir('other', { endpoint: 'x.example.com' }, true)
  tf.noState = await terraformDir('unapplied', { db_address: DB_ADDRESS }, false)
})
afterAll(() => server?.close())

// One story on one Vault: the secrets do not exist, init creates them, show and set-host use them, and the
// last test searches every output for what they held, so these describes run in order.
describe('from no secrets to a database host', { shuffle: false }, () => {
  describe('authctl secrets init', () => {
    it('before it, secrets show and db set-host say the secrets do not exist (exit 5)', async () => {
      const show = await cli(['secrets', 'show'])
      expect(show.code).toBe(5)
      expect(show.stdout).toContain('secret/cwiq/shared/authentik/database: does not exist (authctl secrets init creates it)')
      const set = await cli(['db', 'set-host', '--host', 'db.example.com', '--yes'])
      expect(set.code).toBe(5)
      expect(set.stderr).toContain('Error: secret/cwiq/shared/authentik/database does not exist\nHint: Create it first: authctl secrets init.')
    })

    it('--check shows both secrets would be created and writes nothing', async () => {
      const r = await cli(['secrets', 'init', '--check', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const j = JSON.parse(r.stdout) as { secrets: { path: string; status: string }[] }
      expect(j.secrets.map((s) => [s.path, s.status])).toEqual([['secret/cwiq/shared/authentik/database', 'created'], ['secret/cwiq/shared/authentik/config', 'created']])
      expect(server.state.kv.size).toBe(0)
    })

    it('creates both secrets with generated values of the runbook\'s length and alphabet, none of them in the output', async () => {
      const r = await cli(['secrets', 'init', '--yes', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const db = current('database').data!
      const cfg = current('config').data!
      expect(Object.keys(db)).toEqual(['pg_host', 'pg_user', 'pg_password', 'pg_name', 'pg_port'])
      expect([db.pg_host, db.pg_user, db.pg_name, db.pg_port]).toEqual(['pending-db-set-host.invalid', 'authentik', 'authentik', '5432'])
      expect(db.pg_password).toMatch(new RegExp(`^[${RUNBOOK_ALPHABET}]{32}$`))
      expect(cfg.secret_key).toMatch(new RegExp(`^[${RUNBOOK_ALPHABET}]{64}$`))
      seen.push(db.pg_password!, cfg.secret_key!)
      const j = JSON.parse(r.stdout) as Record<string, unknown>
      expect(Object.keys(j).sort()).toEqual(['check', 'exitCode', 'secrets', 'warnings'])
      expect(j.secrets).toEqual([
        { path: 'secret/cwiq/shared/authentik/database', status: 'created', version: 1, fields: ['pg_host', 'pg_user', 'pg_password', 'pg_name', 'pg_port'].map((name) => ({ name, change: 'added' })) },
        { path: 'secret/cwiq/shared/authentik/config', status: 'created', version: 1, fields: [{ name: 'secret_key', change: 'added' }] },
      ])
    })

    it('refuses to overwrite: a second run keeps both secrets and their versions', async () => {
      const r = await cli(['secrets', 'init', '--yes'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^secret\/cwiq\/shared\/authentik\/database +exists \(version 1\), kept: --force overwrites it$/m)
      expect([current('database').version, current('config').version]).toEqual([1, 1])
      expect(current('database').data?.pg_password).toBe(seen[0])
    })

    it('rejects bad provided values naming the field or file:line, never the value, and writes nothing', async () => {
      const bad = 'has@and/slash'
      const r1 = await cli(['secrets', 'init', '--force', '--yes', '--from-file', '-'], undefined, `pg_password=${bad}\n`)
      expect(r1.code).toBe(5)
      expect(r1.stderr).toContain('pg_password may hold printable ASCII except /, ", @ and space (RDS rule)')
      expect(r1.stderr).not.toContain(bad)
      const file = join(dir, 'values.env')
      await writeFile(file, '# values\npg_user=authentik\npassword=x\n')
      const r2 = await cli(['secrets', 'init', '--from-file', file])
      expect(r2.code).toBe(5)
      expect(r2.stderr).toContain(`${file}:3: unknown field "password"`)
      expect(current('database').version).toBe(1)
    })

    it('--force with values from stdin overwrites with check-and-set, names the changed fields and keeps pg_host', async () => {
      await cli(['db', 'set-host', '--host', 'kept.example.com', '--yes'])
      const password = `Sentinel${'p'.repeat(24)}`
      const key = `SentinelKey${'k'.repeat(60)}`
      seen.push(password, key)
      const r = await cli(['secrets', 'init', '--force', '--yes', '--from-file', '-'], undefined, `pg_password=${password}\nsecret_key=${key}\n`)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^secret\/cwiq\/shared\/authentik\/database +overwritten \(version 3\): pg_password changed$/m)
      expect(r.stdout).toMatch(/^secret\/cwiq\/shared\/authentik\/config +overwritten \(version 2\): secret_key changed$/m)
      expect(r.stdout).toContain('Warning: pg_password changes in Vault only')
      expect(current('database').data).toMatchObject({ pg_host: 'kept.example.com', pg_password: password })
      expect(current('config').data?.secret_key).toBe(key)
    })
  })

  describe('authctl secrets show', () => {
    it('shows field names, version, created time and fingerprints, never a value', async () => {
      const r = await cli(['secrets', 'show', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const j = JSON.parse(r.stdout) as { secrets: { path: string; version: number; createdTime: string; fields: { name: string; fingerprint: string }[] }[] }
      const db = current('database').data!
      expect(j.secrets[0]?.fields).toEqual(Object.entries(db).map(([name, value]) => ({ name, fingerprint: sha12(value) })))
      expect(j.secrets[0]).toMatchObject({ path: 'secret/cwiq/shared/authentik/database', version: 3, exists: true, deleted: false })
      expect(Date.parse(j.secrets[0]!.createdTime)).toBeGreaterThan(Date.now() - 600_000)
      const human = await cli(['secrets', 'show'])
      expect(human.stdout).toMatch(/^ {2}pg_password {2}sha256:[0-9a-f]{12}$/m)
      for (const value of [db.pg_password!, db.pg_host!, current('config').data!.secret_key!]) {
        expect(r.stdout).not.toContain(value)
        expect(human.stdout).not.toContain(value)
      }
    })

    it('--reveal refuses without a terminal (exit 5)', async () => {
      const r = await cli(['secrets', 'show', '--reveal'])
      expect(r.code).toBe(5)
      expect(r.stderr).toContain('--reveal prints secret values and works only on a terminal')
      expect(r.stdout).toBe('')
    })
  })

  describe('authctl db set-host', () => {
    it('--host: --check shows old and new and changes nothing; then it patches with check-and-set; then unchanged', async () => {
      const before = current('database').version
      const check = await cli(['db', 'set-host', '--host', 'db1.example.com', '--check', '--json'])
      expect(check.code, check.stderr).toBe(0)
      expect(JSON.parse(check.stdout)).toEqual({ check: true, path: 'secret/cwiq/shared/authentik/database', old: 'kept.example.com', new: 'db1.example.com', status: 'updated', version: before, exitCode: 0 })
      expect(current('database').version).toBe(before)
      const r = await cli(['db', 'set-host', '--host', 'db1.example.com', '--yes'])
      expect(r.stdout).toBe(`secret/cwiq/shared/authentik/database pg_host: kept.example.com → db1.example.com  updated (version ${before! + 1})\n`)
      expect(current('database').data).toMatchObject({ pg_host: 'db1.example.com', pg_password: seen[2] })
      const again = await cli(['db', 'set-host', '--host', 'db1.example.com', '--json'])
      expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged', version: before! + 1 })
    })

    it('--from-terraform reads db_address from a real terraform working directory', async () => {
      const r = await cli(['db', 'set-host', '--from-terraform', tf.ok, '--yes', '--json'])
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({ old: 'db1.example.com', new: DB_ADDRESS, status: 'updated' })
      expect(current('database').data?.pg_host).toBe(DB_ADDRESS)
    })

    it.each([
      ['an output that does not exist', () => tf.other, {}, /terraform output db_address failed in .*other: Error: Output "db_address" not found/],
      ['a directory without state', () => tf.noState, {}, /terraform output db_address gave no value in .*unapplied: Warning: No outputs found/],
      ['terraform not installed', () => tf.ok, { PATH: '/usr/bin:/bin' }, /^Error: terraform is not installed or not on PATH \(--from-terraform runs it\)\nHint: Install terraform/],
      ['not a directory', () => join(dir, 'missing'), {}, /--from-terraform .*missing is not a directory/],
    ])('%s: a clear error, exit 5, nothing changed', async (_label, tfDir, extra, message) => {
      const before = current('database').version
      const r = await cli(['db', 'set-host', '--from-terraform', tfDir(), '--yes'], extra)
      expect(r.code).toBe(5)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(current('database').version).toBe(before)
    })

    it('refuses a host name that is not one, and needs exactly one source', async () => {
      expect((await cli(['db', 'set-host', '--host', 'bad host;rm', '--yes'])).stderr).toContain('must be a host name')
      expect((await cli(['db', 'set-host', '--yes'])).code).toBe(5)
    })
  })

  describe('secrets never leave Vault', () => {
    it('no generated or provided secret in any output or in the bastion\'s audit log', async () => {
      const audit = await readFile(join(dir, '.local/state/authctl/audit.log'), 'utf8')
      expect(audit).toContain('"command":"authctl secrets init"')
      expect(audit).toContain('"command":"authctl db set-host"')
      expect(seen).toHaveLength(4)
      for (const s of seen) {
        expect(allOutputs.join('\n')).not.toContain(s)
        expect(audit).not.toContain(s)
      }
    })
  })
})
