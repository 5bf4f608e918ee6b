// The test bed's `docker` stand-in, run directly as root against a temp dir standing for /data and the
// Vault test server: compose loading and errors, the vault-agent emulation, health, ps/logs/exec, faults.
import { appendFileSync, chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs'
import { execFileSync, spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultServer, type VaultTestServer } from '../support/vault-server/index.js'
import { seedRunbook } from '../support/vault-server/seed.js'
import { readProjectState, readServiceLog, volumeDir, writeFaults, clearFaults } from '../support/docker-stub/state.mjs'
import { waitFor } from '../support/wait-for.js'
import { bundleDockerStub } from '../support/testbed/stub-bundle.js'

const STUB = resolve('test/support/docker-stub/docker')

let tmp: string
let root: string
let vault: VaultTestServer
let roleId: string

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function docker(cwd: string, args: string[], prefix: string[] = []): Promise<Run> {
  const [cmd, ...rest] = prefix.length > 0 ? [...prefix, STUB, ...args] : [STUB, ...args]
  const r = await execa(cmd as string, rest, { cwd, env: { DOCKER_STUB_ROOT: root }, reject: false, stripFinalNewline: false, timeout: 30_000 })
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr).replace(/\n$/, '') }
}

async function newSecretId(): Promise<string> {
  const res = await fetch(`${vault.addr}/v1/auth/approle/role/authentik/secret-id`, {
    method: 'POST',
    headers: { 'X-Vault-Token': vault.rootToken, 'Content-Type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await res.json()) as { data: { secret_id: string } }
  return body.data.secret_id
}

// Owner 100:1000 and an owner-only mode, as reference/authentik-compose.md §5 prescribes.
function install(path: string, content: string | null, mode: number, uid = 100, gid = 1000): void {
  if (content === null) mkdirSync(path, { recursive: true })
  else writeFileSync(path, content)
  chownSync(path, uid, gid)
  chmodSync(path, mode)
}

const COMPOSE = (name: string) => `name: ${name}
x-wrapper: &wrapper |
  n=0; until [ -s /vault/secrets/.env ]; do n=$$((n+1)); [ $$n -ge 120 ] && exit 1; sleep 1; done
  set -a; . /vault/secrets/.env; set +a
  exec ak "$$@"
x-authentik: &ak
  image: ghcr.io/goauthentik/server:\${AUTHENTIK_TAG:?pin a release}
  restart: unless-stopped
  shm_size: 512mb
  entrypoint: [dumb-init, --, /bin/sh, -c, *wrapper, ak]
  depends_on:
    vault-agent: { condition: service_healthy, restart: true }
  healthcheck: { test: ["CMD", "ak", "healthcheck"], interval: 10s, timeout: 10s, retries: 3, start_period: 300s }
services:
  vault-agent:
    image: hashicorp/vault:\${VAULT_TAG:?pin a release}
    user: "100:1000"
    command: ["vault", "agent", "-config=/etc/vault-agent/config.hcl"]
    environment: { SKIP_SETCAP: "true", SKIP_CHOWN: "true" }
    volumes:
      - ./vault-agent:/etc/vault-agent
      - secrets:/vault/secrets
    healthcheck: { test: ["CMD-SHELL", "test -s /vault/secrets/.env"], interval: 5s, timeout: 3s, retries: 3, start_period: 120s }
    restart: unless-stopped
  server:
    <<: *ak
    user: "1000:1000"
    command: ["server"]
    ports: ["9000:9000", "9443:9443"]
    volumes: [ "secrets:/vault/secrets:ro", "./data:/data", "./custom-templates:/templates" ]
  worker:
    <<: *ak
    user: root
    command: ["worker"]
    volumes: [ "secrets:/vault/secrets:ro", "./data:/data", "./certs:/certs" ]
volumes:
  secrets:
    driver: local
    driver_opts: { type: tmpfs, device: tmpfs, o: "size=1m,uid=100,gid=1000,mode=0750" }
`

const CONFIG = (addr: string) => `# agent config as authctl deploys it
vault {
  address = "${addr}"
  retry { num_retries = 5 }
}
auto_auth {
  method "approle" {
    mount_path = "auth/approle"
    config = {
      role_id_file_path   = "/etc/vault-agent/approle/role-id"
      secret_id_file_path = "/etc/vault-agent/approle/secret-id"   // removal after reading is the default
    }
  }
}
template_config {
  static_secret_render_interval = "5m"
}
template {
  source      = "/etc/vault-agent/env.tpl"
  destination = "/vault/secrets/.env"
  perms       = "0640"
  error_on_missing_key = true
}
`

const TEMPLATE = `{{- with secret "secret/data/cwiq/shared/authentik/database" }}
AUTHENTIK_POSTGRESQL__HOST='{{ .Data.data.pg_host }}'
AUTHENTIK_POSTGRESQL__NAME='{{ .Data.data.pg_name }}'
AUTHENTIK_POSTGRESQL__USER='{{ .Data.data.pg_user | replaceAll "'" "'\\\\''" }}'
AUTHENTIK_POSTGRESQL__PASSWORD='{{ .Data.data.pg_password | replaceAll "'" "'\\\\''" }}'
{{- end }}
{{- with secret "secret/data/cwiq/shared/authentik/config" }}
AUTHENTIK_SECRET_KEY='{{ .Data.data.secret_key | replaceAll "'" "'\\\\''" }}'
{{- end }}
`

const PG_PASSWORD = "pw'with-quote-XYZ123"

// A deploy dir laid out as authctl would (reference §5), with the given secret-id file content.
function deploy(name: string, secretId: string): string {
  const dir = join(tmp, name)
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o755)
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE(name))
  writeFileSync(join(dir, '.env'), 'AUTHENTIK_TAG=2026.2.2\nVAULT_TAG=1.17.6\n')
  install(join(dir, 'vault-agent'), null, 0o700)
  install(join(dir, 'vault-agent/config.hcl'), CONFIG(vault.addr), 0o400)
  install(join(dir, 'vault-agent/env.tpl'), TEMPLATE, 0o400)
  install(join(dir, 'vault-agent/approle'), null, 0o700)
  install(join(dir, 'vault-agent/approle/role-id'), `${roleId}\n`, 0o400)
  install(join(dir, 'vault-agent/approle/secret-id'), `${secretId}\n`, 0o400)
  for (const d of ['data', 'custom-templates', 'certs']) install(join(dir, d), null, 0o750, 1000, 1000)
  return dir
}

const logOf = (project: string, service: string) => readServiceLog(root, project, service)
const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'docker-stub-'))
  chmodSync(tmp, 0o755)
  root = join(tmp, 'data/.docker-stub')
  // what the beds' hosts run: the bundle (its fallback to the sources is the last describe's)
  await bundleDockerStub(resolve('test/support/docker-stub'))
  vault = await startVaultServer()
  ;({ roleId } = await seedRunbook(vault.addr, vault.rootToken, { secrets: { pg_password: PG_PASSWORD } }))
})

afterAll(async () => {
  await vault?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('docker stand-in: the authentik stack with a vault-agent sidecar', { shuffle: false }, () => {
  let dir: string
  let secretId: string

  it('up --wait logs the agent in, renders .env with exactly the template variables and logs like Vault Agent', async () => {
    // the failures describe may have run first, with its own logins
    const requestsBefore = vault.requests.length
    secretId = await newSecretId()
    dir = deploy('authentik', secretId)
    const r = await docker(dir, ['compose', '--ansi', 'never', '--progress', 'plain', 'up', '-d', '--wait', '--wait-timeout', '30'])
    expect(r.stderr).toContain(' Container authentik-vault-agent-1  Healthy')
    expect(r.code).toBe(0)

    const envFile = join(volumeDir(root, 'authentik_secrets'), '.env')
    const text = readFileSync(envFile, 'utf8')
    const vars = text.split('\n').filter((l) => l !== '').map((l) => l.slice(0, l.indexOf('=')))
    expect(vars).toEqual([
      'AUTHENTIK_POSTGRESQL__HOST',
      'AUTHENTIK_POSTGRESQL__NAME',
      'AUTHENTIK_POSTGRESQL__USER',
      'AUTHENTIK_POSTGRESQL__PASSWORD',
      'AUTHENTIK_SECRET_KEY',
    ])
    expect(text).toContain(`AUTHENTIK_POSTGRESQL__PASSWORD='pw'\\''with-quote-XYZ123'\n`)
    const st = statSync(envFile)
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o640, 100, 1000])
    const vol = statSync(volumeDir(root, 'authentik_secrets'))
    expect([vol.mode & 0o777, vol.uid, vol.gid]).toEqual([0o750, 100, 1000])
    // remove_secret_id_file_after_reading defaults to true: the file is gone, the role-id stays.
    expect(existsSync(join(dir, 'vault-agent/approle/secret-id'))).toBe(false)
    expect(existsSync(join(dir, 'vault-agent/approle/role-id'))).toBe(true)

    const logs = await docker(dir, ['compose', 'logs', '--no-color', '--no-log-prefix', 'vault-agent'])
    const lines = logs.stdout.split('\n')
    expect(lines).toContain('==> Vault Agent started! Log data will stream in below:')
    expect(count(lines, /^\S+Z \[INFO\] {2}agent\.auth\.handler: authenticating$/)).toBe(1)
    expect(count(lines, /^\S+Z \[INFO\] {2}agent\.auth\.handler: authentication successful, sending token to sinks$/)).toBe(1)
    expect(count(lines, /\[INFO\] {2}agent: \(runner\) rendered "\/etc\/vault-agent\/env\.tpl" => "\/vault\/secrets\/\.env"$/)).toBe(1)
    for (const secret of [PG_PASSWORD, secretId, roleId]) expect(logs.stdout).not.toContain(secret)
    const prefixed = await docker(dir, ['compose', 'logs', '--tail', '1', 'vault-agent'])
    expect(prefixed.stdout).toMatch(/^authentik-vault-agent-1 {2}\| \S+ \[INFO\] {2}agent: \(runner\) rendered/)

    // --since keeps only later lines (RFC 3339 with nanoseconds, Unix time, or a duration); a bad value is refused
    const future = new Date(Date.now() + 60_000).toISOString().replace('Z', '123456Z')
    expect((await docker(dir, ['compose', 'logs', '--since', future, 'vault-agent'])).stdout).toBe('')
    expect((await docker(dir, ['compose', 'logs', '--since', String(Date.now() / 1000 - 600), 'vault-agent'])).stdout).toContain('authentication successful')
    expect((await docker(dir, ['compose', 'logs', '--since', '10m', 'vault-agent'])).stdout).toContain('authentication successful')
    expect((await docker(dir, ['compose', 'logs', '--since', 'yesterday', 'vault-agent'])).code).not.toBe(0)
    // -f prints what there is, then new lines as they come, until killed
    const follow = execa(STUB, ['compose', 'logs', '-f', '--no-log-prefix', 'vault-agent'], { cwd: dir, env: { DOCKER_STUB_ROOT: root }, reject: false })
    let seen = ''
    follow.stdout?.on('data', (d: Buffer) => (seen += d.toString()))
    // the stand-in is a node process: under load it may take a while to print what there is
    await waitFor(() => seen.includes('authentication successful'), 'the agent log line "authentication successful"', 10_000, 100)
    expect(seen).toContain('authentication successful')
    expect(seen).not.toContain('followed-line')
    appendFileSync(join(root, 'logs', 'authentik', 'vault-agent.log'), `${new Date().toISOString()} stderr followed-line\n`)
    await waitFor(() => seen.includes('followed-line'), 'the followed line', 10_000, 100)
    expect(seen).toContain('followed-line\n')
    follow.kill('SIGTERM')
    await follow

    const requests = vault.requests.slice(requestsBefore)
    const logins = requests.filter((q) => q.path === '/v1/auth/approle/login')
    expect(logins.map((q) => q.method)).toEqual(['PUT'])
    expect(requests.some((q) => q.method === 'GET' && q.path === '/v1/secret/data/cwiq/shared/authentik/config')).toBe(true)
  })

  it('ps --format json prints one JSON object per line with the compose >= 2.21 keys', async () => {
    const r = await docker(dir, ['compose', 'ps', '--format', 'json'])
    expect(r.code).toBe(0)
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows.map((x) => x.Service)).toEqual(['server', 'vault-agent', 'worker'])
    const keys = 'Command CreatedAt ExitCode Health ID Image Labels LocalVolumes Mounts Name Names Networks Ports Project Publishers RunningFor Service Size State Status'
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(keys.split(' '))
    const agent = rows.find((x) => x.Service === 'vault-agent') ?? {}
    expect(agent).toMatchObject({ Name: 'authentik-vault-agent-1', Project: 'authentik', State: 'running', Health: 'healthy', ExitCode: 0, Image: 'hashicorp/vault:1.17.6' })
    expect(agent.Status).toMatch(/^Up .+ \(healthy\)$/)
    expect(agent.ID).toMatch(/^[0-9a-f]{12}$/)
    const server = rows.find((x) => x.Service === 'server') ?? {}
    expect(server.Publishers).toContainEqual({ URL: '0.0.0.0', TargetPort: 9000, PublishedPort: 9000, Protocol: 'tcp' })
    expect(server.Health).toBe('healthy')

    expect((await docker(dir, ['compose', 'stop', 'worker'])).code).toBe(0)
    const running = await docker(dir, ['compose', 'ps', '--format', 'json'])
    expect(running.stdout).not.toContain('"worker"')
    const all = await docker(dir, ['compose', 'ps', '-a', '--format', 'json', 'worker'])
    expect(JSON.parse(all.stdout)).toMatchObject({ Service: 'worker', State: 'exited', Health: '', ExitCode: 0 })
    expect((await docker(dir, ['compose', 'up', '-d', '--wait'])).code).toBe(0)
  })

  it('exec runs test/cat/stat/id in the container view, as the service user', async () => {
    const ex = (args: string[]) => docker(dir, ['compose', 'exec', '-T', ...args])
    expect((await ex(['vault-agent', 'stat', '-f', '-c', '%T', '/vault/secrets'])).stdout).toBe('tmpfs\n')
    expect((await ex(['server', 'stat', '-f', '-c', '%T', '/data'])).stdout).toBe('ext2/ext3\n')
    expect((await ex(['server', 'test', '-s', '/vault/secrets/.env'])).code).toBe(0)
    expect((await ex(['server', 'test', '-e', '/vault/secrets/nope'])).code).toBe(1)
    expect((await ex(['server', 'id', '-u'])).stdout).toBe('1000\n')
    expect((await ex(['worker', 'id', '-u'])).stdout).toBe('0\n')
    expect((await ex(['server', 'cat', '/vault/secrets/.env'])).stdout).toContain("AUTHENTIK_POSTGRESQL__NAME='authentik'")
    const denied = await ex(['server', 'cat', '/etc/passwd-not-there'])
    expect([denied.code, denied.stderr]).toEqual([1, 'cat: /etc/passwd-not-there: No such file or directory'])
    const unknown = await ex(['server', 'curl', 'http://localhost'])
    expect(unknown.code).toBe(126)
  })

  it('restart logs in again with a new secret-id; without one it fails with "no known secret ID"', async () => {
    install(join(dir, 'vault-agent/approle/secret-id'), `${await newSecretId()}\n`, 0o400)
    const r = await docker(dir, ['compose', 'restart', 'vault-agent'])
    expect(r.code).toBe(0)
    // depends_on.vault-agent.restart: true restarts the dependents after the agent.
    expect(r.stderr).toMatch(/Container authentik-vault-agent-1 {2}Restarting[\s\S]*Container authentik-server-1 {2}Restarting/)
    let lines = logOf('authentik', 'vault-agent')
    expect(count(lines, /authentication successful, sending token to sinks$/)).toBe(2)
    expect(count(lines, /\(runner\) rendered /)).toBe(1) // same content: no new "rendered" line
    expect(existsSync(join(dir, 'vault-agent/approle/secret-id'))).toBe(false)

    const again = await docker(dir, ['compose', 'restart', 'vault-agent'])
    expect(again.code).toBe(0)
    lines = logOf('authentik', 'vault-agent')
    expect(lines[lines.length - 1]).toMatch(
      /^\S+Z \[ERROR\] agent\.auth\.handler: error getting path or data from method: error="no known secret ID" backoff=1s$/,
    )
    expect(count(lines, /authentication successful/)).toBe(2)
    // The tmpfs stayed mounted (server and worker hold it), so the old .env is still there.
    expect(existsSync(join(volumeDir(root, 'authentik_secrets'), '.env'))).toBe(true)
  })

  it('a changed secret is rendered again on the next login', async () => {
    await fetch(`${vault.addr}/v1/secret/data/cwiq/shared/authentik/config`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.rootToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { secret_key: 'rotated-key-123' } }),
    })
    install(join(dir, 'vault-agent/approle/secret-id'), `${await newSecretId()}\n`, 0o400)
    expect((await docker(dir, ['compose', 'restart', '--no-deps', 'vault-agent'])).code).toBe(0)
    expect(count(logOf('authentik', 'vault-agent'), /\(runner\) rendered /)).toBe(2)
    expect(readFileSync(join(volumeDir(root, 'authentik_secrets'), '.env'), 'utf8')).toContain("AUTHENTIK_SECRET_KEY='rotated-key-123'")
  })

  it('up recreates only a container whose configuration changed', async () => {
    const before = readProjectState(root, 'authentik')?.containers
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE('authentik').replace('command: ["worker"]', 'command: ["worker"]\n    environment: { X: "1" }'))
    install(join(dir, 'vault-agent/approle/secret-id'), `${await newSecretId()}\n`, 0o400)
    const r = await docker(dir, ['compose', 'up', '-d', '--wait'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(' Container authentik-worker-1  Recreate')
    expect(r.stderr).toContain(' Container authentik-server-1  Running')
    const after = readProjectState(root, 'authentik')?.containers
    expect(after?.worker?.id).not.toBe(before?.worker?.id)
    expect(after?.server?.id).toBe(before?.server?.id)
  })

  it('a state lock left by a client that died (killed mid-call) does not stop the next call', async () => {
    const dead = spawnSync('true').pid
    mkdirSync(join(root, 'lock'))
    writeFileSync(join(root, 'lock', 'pid'), String(dead))
    const r = await docker(dir, ['compose', 'restart', 'worker'])
    expect([r.code, r.stderr.includes('timed out waiting for the state lock')]).toEqual([0, false])
    expect(existsSync(join(root, 'lock'))).toBe(false)
  })

  it('down removes the containers and the tmpfs loses its content', async () => {
    const r = await docker(dir, ['compose', 'down'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(' Container authentik-vault-agent-1  Removed')
    expect(existsSync(join(volumeDir(root, 'authentik_secrets'), '.env'))).toBe(false)
    expect((await docker(dir, ['compose', 'ps', '-a', '--format', 'json'])).stdout).toBe('')
    expect(logOf('authentik', 'vault-agent')).toEqual([])
  })
})

describe('docker stand-in: failures', () => {
  it('a wrong secret-id leaves the agent unhealthy and up --wait fails with compose\'s message', async () => {
    const dir = deploy('bad', 'not-a-valid-secret-id')
    const r = await docker(dir, ['compose', 'up', '-d', '--wait'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n').pop()).toBe('dependency failed to start: container bad-vault-agent-1 is unhealthy')
    const lines = logOf('bad', 'vault-agent')
    const at = lines.findIndex((l) => / \[ERROR\] agent\.auth\.handler: error authenticating:$/.test(l))
    expect(at).toBeGreaterThan(0)
    expect(lines.slice(at + 1, at + 9)).toEqual([
      '  error=',
      '  | Error making API request.',
      '  | ',
      `  | URL: PUT ${vault.addr}/v1/auth/approle/login`,
      '  | Code: 400. Errors:',
      '  | ',
      '  | * invalid role or secret ID',
      '   backoff=1s',
    ])
    expect(existsSync(join(volumeDir(root, 'bad_secrets'), '.env'))).toBe(false)
    const ps = await docker(dir, ['compose', 'ps', '-a', '--format', 'json'])
    const rows = ps.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows.find((x) => x.Service === 'vault-agent')).toMatchObject({ State: 'running', Health: 'unhealthy' })
    expect(rows.find((x) => x.Service === 'server')).toMatchObject({ State: 'created', Status: 'Created' })
    const only = await docker(dir, ['compose', 'up', '-d', '--wait', 'vault-agent'])
    expect([only.code, only.stderr.trim().split('\n').pop()]).toEqual([1, 'container bad-vault-agent-1 is unhealthy'])
    expect((await docker(dir, ['compose', 'down'])).code).toBe(0)
  })

  it('a role-id file uid 100 cannot read fails like the real agent', async () => {
    const dir = deploy('perm', await newSecretId())
    chownSync(join(dir, 'vault-agent/approle/role-id'), 0, 0)
    chmodSync(join(dir, 'vault-agent/approle/role-id'), 0o600)
    const r = await docker(dir, ['compose', 'up', '-d', 'vault-agent'])
    expect(r.code).toBe(0)
    expect(logOf('perm', 'vault-agent').pop()).toMatch(
      /\[ERROR\] agent\.auth\.handler: error getting path or data from method: error="error reading role ID file and no cached role ID known: open \/etc\/vault-agent\/approle\/role-id: permission denied" backoff=1s$/,
    )
    expect((await docker(dir, ['compose', 'down'])).code).toBe(0)
  })

  it.each([
    ['a missing -f file', (d: string) => ['-f', join(d, 'nope.yml'), 'up', '-d'], (d: string) => `open ${join(d, 'nope.yml')}: no such file or directory`, 14],
    ['no file at all', () => ['ps'], () => 'no configuration file provided: not found', 14],
    ['invalid YAML', (d: string) => ['-f', w(d, 'services:\n  a:\n    image: x\n   b: [\n'), 'config'], () => /^yaml: line \d+: /, 15],
    ['an unknown service key', (d: string) => ['-f', w(d, 'services:\n  server:\n    image: x\n    bar: 1\n'), 'up', '-d'], (d: string) => `validating ${join(d, 'c.yml')}: services.server additional properties 'bar' not allowed`, 15],
    ['a required variable', (d: string) => ['-f', w(d, 'services:\n  a:\n    image: "x:${TAG:?pin a release}"\n'), 'config', '-q'], () => 'error while interpolating services.a.image: required variable TAG is missing a value: pin a release', 15],
    ['an undefined dependency', (d: string) => ['-f', w(d, 'services:\n  a:\n    image: x\n    depends_on: [b]\n'), 'config'], () => 'service "a" depends on undefined service "b": invalid compose project', 15],
  ])('compose fails on %s with its message and exit code', async (_name, args, message, exitCode) => {
    const d = mkdtempSync(join(tmp, 'files-'))
    const r = await docker(d, ['compose', ...args(d)])
    const msg = message(d)
    if (typeof msg === 'string') expect(r.stderr.trim()).toBe(msg)
    else expect(r.stderr.trim()).toMatch(msg)
    expect(r.code).toBe(exitCode)
  })

  it('refuses users who are neither root nor in group docker, like the socket', async () => {
    const dir = mkdtempSync(join(tmp, 'perm-'))
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a:\n    image: x\n')
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
    const denied = await docker(dir, ['compose', 'ps'], nobody)
    expect(denied.code).toBe(1)
    expect(denied.stderr).toMatch(/^permission denied while trying to connect to the Docker daemon socket at unix:\/\/\/var\/run\/docker\.sock: Get "http:\/\/%2Fvar%2Frun%2Fdocker\.sock\/v[\d.]+\/\S+": dial unix \/var\/run\/docker\.sock: connect: permission denied$/)
    // the stand-in admits group docker like the real socket; a fresh machine may not have that group yet
    execFileSync('groupadd', ['-f', 'docker'])
    const gid = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('docker:'))?.split(':')[2]
    expect(gid).toBeDefined()
    const member = await docker(dir, ['compose', 'ps'], ['setpriv', '--reuid=65534', '--regid=65534', `--groups=${gid}`])
    expect([member.code, member.stderr]).toEqual([0, ''])
    expect((await docker(dir, ['compose', 'version', '--short'], nobody)).stdout).toBe('2.29.7\n')
  })

  it('follows faults.json: daemon down, a forced unhealthy service, a failing verb, slowness', async () => {
    const dir = deploy('faulty', await newSecretId())
    try {
      writeFaults(root, { daemonDown: true })
      const down = await docker(dir, ['compose', 'ps'])
      expect([down.code, down.stderr]).toEqual([1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'])
      expect((await docker(dir, ['compose', 'config', '--services'])).stdout).toBe('vault-agent\nserver\nworker\n')

      writeFaults(root, { unhealthy: ['server'] })
      const up = await docker(dir, ['compose', 'up', '-d', '--wait'])
      expect([up.code, up.stderr.trim().split('\n').pop()]).toEqual([1, 'container faulty-server-1 is unhealthy'])

      writeFaults(root, { failVerbs: { restart: 'Error response from daemon: injected' } })
      expect(await docker(dir, ['compose', 'restart'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: injected' })

      writeFaults(root, { slowMs: 600 })
      const started = Date.now()
      expect((await docker(dir, ['compose', 'ps'])).code).toBe(0)
      expect(Date.now() - started).toBeGreaterThanOrEqual(600)
    } finally {
      clearFaults(root)
      await docker(dir, ['compose', 'down'])
    }
  })
})

function w(dir: string, text: string): string {
  const file = join(dir, 'c.yml')
  writeFileSync(file, text)
  return file
}

describe('docker stand-in: the bundle a bed builds', () => {
  // A copy of the stand-in whose bundle only says that it ran (the real one serves the other files' beds).
  function copyWithMarkerBundle(): string {
    const dir = mkdtempSync(join(tmpdir(), 'docker-stub-copy-'))
    cpSync(resolve('test/support/docker-stub'), dir, { recursive: true, filter: (src) => !src.includes('.bundle') })
    // `docker` is an extensionless ES module: the copy needs the repository's "type": "module"
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    mkdirSync(join(dir, '.bundle'))
    writeFileSync(join(dir, '.bundle/docker-stub.cjs'), "exports.main = async () => { process.stdout.write('the bundle ran\\n') }\n")
    return dir
  }
  const setTimes = (path: string, secondsAgo: number): void => utimesSync(path, new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000))

  it('docker runs the bundle while it is at least as new as every source, and the sources once one is newer', () => {
    const dir = copyWithMarkerBundle()
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.mjs')) setTimes(join(dir, f), 120)
      setTimes(join(dir, '.bundle/docker-stub.cjs'), 60)
      expect(execFileSync(join(dir, 'docker'), ['--version'], { encoding: 'utf8' })).toBe('the bundle ran\n')
      // an edited source: the bundle is stale
      setTimes(join(dir, 'verb-ps.mjs'), 0)
      expect(execFileSync(join(dir, 'docker'), ['--version'], { encoding: 'utf8' })).toMatch(/^Docker version \d+\.\d+\.\d+, build /)
      // no bundle at all
      rmSync(join(dir, '.bundle'), { recursive: true })
      expect(execFileSync(join(dir, 'docker'), ['--version'], { encoding: 'utf8' })).toMatch(/^Docker version /)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the real bundle answers as the sources do', async () => {
    const stubDir = resolve('test/support/docker-stub')
    await bundleDockerStub(stubDir)
    // fresh, so `docker` below runs it
    const built = statSync(join(stubDir, '.bundle/docker-stub.cjs')).mtimeMs
    expect(readdirSync(stubDir).filter((f) => f.endsWith('.mjs') && statSync(join(stubDir, f)).mtimeMs > built)).toEqual([])
    const sources = (args: string[]) => execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(resolve('test/support/docker-stub/main.mjs'))}); await main(${JSON.stringify(args)})`], { encoding: 'utf8' })
    for (const args of [['--version'], ['compose', 'version'], ['compose', 'version', '--format', 'json']]) {
      expect(execFileSync(STUB, args, { encoding: 'utf8' })).toBe(sources(args))
    }
  })
})
