// The rotations' test bed: 3 real sshd hosts with the stack deployed, the Vault test server in this
// process (for its faults and state), a throwaway PostgreSQL holding the `authentik` login, and the RDS
// stand-in whose instance is that PostgreSQL. The CLI runs built, as an operator runs it.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect } from 'vitest'
import { readProjectState, stubRootOf, volumeDir } from '../../support/docker-stub/state.mjs'
import { startPostgres, type Postgres } from '../../support/postgres.js'
import { awsTestEnv } from '../../support/rds-server/aws-env.js'
import { startRdsServer, type RdsServer } from '../../support/rds-server/index.js'
import { repoRoot, startTestbed, type Testbed } from '../../support/testbed/index.js'
import { OPERATOR_POLICY_NAME, READ_POLICY_NAME, seedRunbook } from '../../support/vault-server/seed.js'
import { operatorPolicyHcl } from '../../../src/vault/operator-policy.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'
import { asAdmin } from './db-bed.js'
import { allOutputs, runCli } from './cli.js'

export const INSTANCE = 'cwiq-shared-authentik-postgres'
export const DB_KEY = 'cwiq/shared/authentik/database'
export const CONFIG_KEY = 'cwiq/shared/authentik/config'
// The first password and key: sentinels, searched for in every output at the end.
export const FIRST_PASSWORD = `SENTINELpw${randomBytes(10).toString('hex')}`
export const FIRST_KEY = `SENTINELkey${randomBytes(26).toString('hex')}`

// Everything running, and the helpers the tests use.
export interface RotationBed {
  bed: Testbed
  vault: VaultTestServer
  postgres: Postgres
  rds: RdsServer
  home: string
  env: NodeJS.ProcessEnv
  operatorToken: string
  stop(): Promise<void>
}

const AWS_KEY = { accessKeyId: 'AKIASTANDIN00000009', secretAccessKey: randomBytes(30).toString('base64') }

// Starts everything and deploys the stack with `authctl setup`.
export async function startRotationBed(): Promise<RotationBed> {
  const [vault, postgres, bed] = await Promise.all([startVaultServer(), startPostgres(), startTestbed({ hosts: 3, vault: false })])
  // every version stays readable for the final sentinel search
  vault.state.kvConfig.maxVersions = 1000
  await asAdmin(postgres, async (c) => {
    await c.query(`CREATE ROLE authentik LOGIN PASSWORD ${c.escapeLiteral(FIRST_PASSWORD)}`)
    await c.query('CREATE DATABASE authentik OWNER authentik')
  })
  const { operatorToken } = await seedRunbook(vault.addr, vault.rootToken, {
    secrets: { pg_host: '127.0.0.1', pg_port: String(postgres.port), pg_user: 'authentik', pg_name: 'authentik', pg_password: FIRST_PASSWORD, secret_key: FIRST_KEY },
  })
  // the operator policy as `authctl vault bootstrap` writes it (the runbook's lacks the rotation record's patch)
  const policy = operatorPolicyHcl({ approleMount: 'approle', role: 'authentik', kvMount: 'secret', kvPath: 'cwiq/shared/authentik', policies: [READ_POLICY_NAME, OPERATOR_POLICY_NAME] })
  const put = await fetch(`${vault.addr}/v1/sys/policies/acl/${OPERATOR_POLICY_NAME}`, { method: 'PUT', headers: { 'X-Vault-Token': vault.rootToken }, body: JSON.stringify({ policy }) })
  if (!put.ok) throw new Error(`writing the operator policy: ${put.status}`)
  const rds = await startRdsServer({ keys: [AWS_KEY] })
  rds.instances.add({ id: INSTANCE, masterUsername: 'authentik', address: '127.0.0.1', port: postgres.port, admin: { connectionString: postgres.connectionString }, applyAfterMs: 300 })
  const home = await mkdtemp(join(tmpdir(), 'authctl-rot-home-'))
  const aws = await awsTestEnv(rds.url, [{ name: 'shared-services', key: AWS_KEY, region: 'us-west-2' }])
  // authctl must silence the SDK's Node 20 warning itself
  delete aws.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, VAULT_ADDR: vault.addr, VAULT_TOKEN: operatorToken, NO_COLOR: '1', ...aws, AWS_PROFILE: 'shared-services' }
  const setup = await runCli(['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath, '--wait-timeout', '30s'], env)
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`)
  return {
    bed, vault, postgres, rds, home, env, operatorToken,
    stop: async () => {
      await bed.stop()
      await rds.stop()
      await vault.close()
      await postgres.stop()
    },
  }
}

// Registers a test file's own rotation bed: started before its first test and handed to `started` (the
// file's frame keeps it), `last` run after its last test, then the bed stopped whatever `last` found.
export function useRotationBed(started: (bed: RotationBed) => Promise<void> | void, last?: (bed: RotationBed) => Promise<void>): void {
  let bed: RotationBed | undefined
  beforeAll(async () => {
    bed = await startRotationBed()
    await started(bed)
  }, 240_000)
  afterAll(async () => {
    try {
      if (bed !== undefined) await last?.(bed)
    } finally {
      await bed?.stop()
    }
  })
}

// rotate-db-password's and rotate-secret-key's --json (the fields the tests read)
export interface RotationJson {
  rotation: string
  status: string
  resumed: boolean
  method: string
  target: string
  via: string | null
  versions: { from: number; to: number | null; rollback: number | null }
  database: { newPasswordLogsIn: boolean | null; oldPasswordRefused: boolean | null }
  steps: { step: number; name: string; status: string; detail: string }[]
  owed: string[]
  restart: { mode: string; hosts: { host: string; status: string; restarted: string[] }[] }
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

// A run's --json: a rotation's unless the test names another shape.
export const json = <T = RotationJson>(run: { stdout: string }): T => JSON.parse(run.stdout) as T

// Host i's deploy lock (a folder; its details.json says whose run holds it).
export const lockDir = (r: RotationBed, i: number): string => join(r.bed.hosts[i]!.dataDir, 'authentik', 'authctl.lock')

// A lock held by someone else's run (a CI setup) on host i, as the lock's own files say, while `body` runs;
// the run must leave it in place (it is not the run's), then it is removed.
export async function foreignLock<T>(r: RotationBed, i: number, body: () => Promise<T>): Promise<T> {
  await mkdir(lockDir(r, i), { recursive: true })
  await writeFile(join(lockDir(r, i), 'details.json'), JSON.stringify({ who: 'ci@runner', pid: 4242, command: 'authctl setup' }) + '\n')
  try {
    const out = await body()
    expect(await stat(lockDir(r, i))).toBeTruthy()
    return out
  } finally {
    await rm(lockDir(r, i), { recursive: true, force: true })
  }
}

// The connection flags every run takes.
export const conn = (r: RotationBed): string[] => ['-i', r.bed.inventoryPath, '--known-hosts', r.bed.knownHostsPath]

// A KV version's data as the server holds it.
export function kv(r: RotationBed, key = DB_KEY): { version: number; data: Record<string, string>; at(v: number): Record<string, string> | undefined } {
  const k = r.vault.state.kv.get(key)
  const at = (v: number) => k?.versions.get(v)?.data as Record<string, string> | undefined
  return { version: k?.currentVersion ?? 0, data: at(k?.currentVersion ?? 0) ?? {}, at }
}

// Every value any version of the two secrets ever held (for the sentinel search).
export function allSecretValues(r: RotationBed): string[] {
  const out: string[] = []
  for (const key of [DB_KEY, CONFIG_KEY]) {
    for (const v of r.vault.state.kv.get(key)?.versions.values() ?? []) {
      const d = (v.data ?? {}) as Record<string, string>
      if (d.pg_password) out.push(d.pg_password)
      if (d.secret_key) out.push(d.secret_key)
    }
  }
  return [...new Set(out)]
}

// A real login as authentik: true when accepted, false when the password is refused.
export async function logsIn(r: RotationBed, password: string): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port: r.postgres.port, user: 'authentik', password, database: 'authentik' })
  try {
    await client.connect()
    return true
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false
    throw error
  } finally {
    await client.end().catch(() => undefined)
  }
}

// Host i's rendered .env in the tmpfs volume (the docker stand-in keeps it in a folder).
export function renderedEnv(r: RotationBed, i: number): Promise<string> {
  return readFile(join(volumeDir(stubRootOf(r.bed.hosts[i]!.dataDir), 'authentik_secrets'), '.env'), 'utf8')
}

// When host i's service last started (ISO time), to tell which hosts a run restarted.
export function startedAt(r: RotationBed, i: number, service = 'vault-agent'): string {
  const state = readProjectState(stubRootOf(r.bed.hosts[i]!.dataDir), 'authentik')
  return Object.values(state?.containers ?? {}).find((c) => c.service === service)?.startedAt ?? ''
}

// The rotation journal on the bastion, or undefined.
export async function journal(r: RotationBed): Promise<{ step: string; fromVersion: number; toVersion: number | null; rollbackVersion: number | null; hosts: Record<string, string> } | undefined> {
  const text = await readFile(journalFile(r), 'utf8').catch(() => undefined)
  return text === undefined ? undefined : JSON.parse(text)
}

export const journalFile = (r: RotationBed): string => join(r.home, '.local/state/authctl/rotations/rotate-db-password.json')

// Runs the CLI on a terminal (a pty from util-linux `script`), answering the confirmation with `answer`.
export function runOnTerminal(r: Pick<RotationBed, 'env'>, args: readonly string[], answer: string): Promise<{ code: number | null; output: string; asked: boolean }> {
  const line = [process.execPath, join(repoRoot, 'bin/run.js'), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const child = spawn('script', ['-qec', line, '/dev/null'], { env: { ...r.env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  let asked = false
  const take = (d: Buffer): void => {
    output += d.toString()
    if (!asked && output.includes('Proceed? [y/N]')) {
      asked = true
      child.stdin.write(`${answer}\n`)
    }
  }
  child.stdout.on('data', take)
  child.stderr.on('data', take)
  return new Promise((resolve) => child.on('close', (code) => {
    allOutputs.push(output)
    resolve({ code, output, asked })
  }))
}
