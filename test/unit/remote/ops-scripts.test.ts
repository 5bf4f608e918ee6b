// The read-only remote commands of status, logs and audit: exact argv, then the scripts run here with
// /bin/sh on real files and a fake docker to prove what they report (the integration tests run them
// over SSH on the test bed).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AUDIT_SCRIPT, auditArgv, parseAuditLines } from '../../../src/remote/audit-script.js'
import { FOLLOW_SCRIPT, logsArgv } from '../../../src/remote/logs-argv.js'
import { parseStatus } from '../../../src/remote/parse-status.js'
import { hostPaths } from '../../../src/stack/host-paths.js'
import { STATUS_SCRIPT, statusArgv } from '../../../src/remote/status-script.js'
import { waitUntil } from '../../support/wait-for.js'

const paths = hostPaths('/data/authentik')

// Runs a rootScript argv locally without its `sudo -n --` prefix.
function runLocal(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  expect(argv.slice(0, 3)).toEqual(['sudo', '-n', '--'])
  const [file, ...args] = argv.slice(3) as [string, ...string[]]
  const r = spawnSync(file, args, { env })
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), code: r.status }
}

// A docker that answers the status script's four calls from files beside it.
function fakeDocker(dir: string, envExit: number): NodeJS.ProcessEnv {
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'docker'), [
    '#!/bin/sh',
    'echo "$*" >> "$(dirname "$0")/calls"',
    'case "$*" in',
    `  *" ps -a --format json") echo '{"Service":"vault-agent","State":"running","Health":"unhealthy"}';;`,
    `  *"test -s /vault/secrets/.env") exit ${envExit};;`,
    '  *"stat -f -c %T /vault/secrets") echo ext4;;',
    '  *" logs "*) cat "$(dirname "$0")/agent.log";;',
    'esac',
  ].join('\n') + '\n', { mode: 0o755 })
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
}

const AGENT_LOG = [
  '==> Vault Agent started! Log data will stream in below:',
  '2026-01-01T00:00:00.000Z [INFO]  agent.auth.handler: authenticating',
  '2026-01-01T00:00:01.000Z [INFO]  agent.auth.handler: authentication successful, sending token to sinks',
  '2026-01-01T00:00:02.000Z [INFO]  agent: (runner) rendered "/vault/templates/.env.tpl" => "/vault/secrets/.env"',
  '2026-01-01T00:05:00.000Z [ERROR] agent.auth.handler: error authenticating:',
  '  error=',
  '  | Error making API request.',
  '  | Code: 400. Errors:',
  '  | * invalid role or secret ID',
  '   backoff=5s',
  '2026-01-01T00:05:01.000Z [INFO]  agent: (runner) starting',
  '  not a continuation of anything we keep',
].join('\n') + '\n'

describe('status command', () => {
  it('is one constant root script with the paths as data', () => {
    expect(statusArgv({ paths, project: 'authentik', targets: ['/data/authentik/docker-compose.yml', '/data/authentik/vault/config/role-id'] })).toEqual([
      'sudo', '-n', '--', 'sh', '-c', STATUS_SCRIPT, 'authctl-status',
      '/data/authentik', '/data/authentik/authctl.lock', '/data/authentik/docker-compose.yml', 'authentik',
      '/data/authentik/.authctl-pending-restart', '/data/authentik/vault/config/secret-id.accessor', '500',
      '/data/authentik/docker-compose.yml', '/data/authentik/vault/config/role-id',
    ])
  })

  it('reports the lock, files, marker, accessor, services, .env, filesystem and login lines without the lock being taken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-status-'))
    const env = fakeDocker(dir, 1)
    writeFileSync(join(dir, 'bin', 'agent.log'), AGENT_LOG)
    const p = hostPaths(join(dir, 'authentik'))
    mkdirSync(join(p.root, 'vault', 'config'), { recursive: true })
    writeFileSync(p.composeFile, 'services: {}\n')
    writeFileSync(join(p.root, 'vault', 'config', 'role-id'), 'abc', { mode: 0o444 })
    writeFileSync(p.secretIdAccessor, 'acc-1\n')
    writeFileSync(p.pendingRestart, 'agent\n')
    mkdirSync(p.lockDir)
    writeFileSync(p.lockDetails, '{"who":"a@b","pid":7}\n')
    const r = runLocal(statusArgv({ paths: p, project: 'authentik', targets: [join(p.root, 'vault', 'config', 'role-id'), join(p.root, 'nope')] }), env)
    expect(r.code).toBe(0)
    const facts = parseStatus('h1', r)
    expect(facts.lock?.details).toBe('{"who":"a@b","pid":7}')
    expect(facts.lock?.mtime).toBeGreaterThan(1_600_000_000)
    expect(facts.state.paths.get(join(p.root, 'vault', 'config', 'role-id'))).toMatchObject({ kind: 'file', mode: 0o444 })
    expect(facts.state.paths.has(join(p.root, 'nope'))).toBe(false)
    expect([facts.state.pendingRestart, facts.state.secretIdAccessor]).toEqual(['agent', 'acc-1'])
    expect(facts.state.services).toEqual([{ service: 'vault-agent', state: 'running', health: 'unhealthy' }])
    expect([facts.envProbe, facts.secretsFs, facts.dockerError]).toEqual([1, { code: 0, type: 'ext4' }, undefined])
    expect(facts.agentLog.map((e) => e.line)).toEqual([AGENT_LOG.split('\n')[0], AGENT_LOG.split('\n')[2], AGENT_LOG.split('\n')[4]])
    expect(facts.agentLog[2]?.more).toEqual(['  error=', '  | Error making API request.', '  | Code: 400. Errors:', '  | * invalid role or secret ID', '   backoff=5s'])
    // read-only: the lock is not ours to take or touch
    expect(readFileSync(p.lockDetails, 'utf8')).toBe('{"who":"a@b","pid":7}\n')
    expect(readFileSync(join(dir, 'bin', 'calls'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' -p authentik ')[1])).toEqual([
      'ps -a --format json', 'exec -T vault-agent test -s /vault/secrets/.env', 'exec -T vault-agent stat -f -c %T /vault/secrets', 'logs --no-color --no-log-prefix --tail 500 vault-agent',
    ])
  })

  it('still reports files when there is no compose file, and says why docker was not asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-status-'))
    const env = fakeDocker(dir, 0)
    const p = hostPaths(join(dir, 'authentik'))
    mkdirSync(p.root)
    const facts = parseStatus('h1', runLocal(statusArgv({ paths: p, project: 'authentik', targets: [p.root] }), env))
    expect(facts.dockerError).toBe(`no compose file at ${p.composeFile}`)
    expect(facts.state.paths.get(p.root)?.kind).toBe('dir')
    expect([facts.lock, facts.envProbe, facts.agentLog]).toEqual([undefined, undefined, []])
    expect(existsSync(join(dir, 'bin', 'calls'))).toBe(false)
  })
})

describe('logs command', () => {
  it('fetches with sudo and the explicit compose file, flags before services', () => {
    expect(logsArgv({ paths, project: 'authentik', services: ['vault-agent', 'server'], tail: 50, since: '600s', follow: false })).toEqual([
      'sudo', '-n', '--', 'docker', 'compose', '-f', '/data/authentik/docker-compose.yml', '-p', 'authentik', 'logs', '--no-color', '--tail', '50', '--since', '600s', 'vault-agent', 'server',
    ])
  })

  it('follows inside the wrapper that stops on EOF', () => {
    expect(logsArgv({ paths, project: 'p', services: [], follow: true })).toEqual([
      'sudo', '-n', '--', 'sh', '-c', FOLLOW_SCRIPT, 'authctl-logs', 'docker', 'compose', '-f', '/data/authentik/docker-compose.yml', '-p', 'p', 'logs', '--no-color', '--follow',
    ])
  })

  it('the wrapper kills its follower when stdin reaches EOF, and ends when the follower ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-follow-'))
    const marker = join(dir, 'stopped')
    // a follower that prints, then waits forever; its trap proves it was killed, not left behind
    const follower = `trap 'echo killed > "${marker}"; exit 143' TERM; echo first; while :; do sleep 0.05; done`
    const child = spawn('sh', ['-c', FOLLOW_SCRIPT, 'authctl-logs', 'sh', '-c', follower], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    await waitUntil(() => out !== '', 2_000, 20)
    expect(out).toBe('first\n')
    expect(existsSync(marker)).toBe(false)
    child.stdin.end()
    const code = await new Promise<number | null>((r) => child.on('close', r))
    expect(readFileSync(marker, 'utf8')).toBe('killed\n')
    expect(code).toBe(143)
    expect(err).toBe('')
    // stdin stays open here (closing it at once raced the follower under load: the watcher killed it first)
    const ending = spawn('sh', ['-c', FOLLOW_SCRIPT, 'authctl-logs', 'echo', 'only'], { stdio: ['pipe', 'pipe', 'ignore'] })
    let only = ''
    ending.stdout.on('data', (d: Buffer) => (only += d.toString()))
    const [status] = await Promise.all([new Promise<number | null>((r) => ending.on('exit', r)), new Promise((r) => ending.stdout.on('end', r))])
    ending.stdin.end()
    expect([status, only]).toEqual([0, 'only\n'])
  })
})

describe('audit read', () => {
  it('reads the last N lines or all, as root', () => {
    expect(auditArgv(paths, 20)).toEqual(['sudo', '-n', '--', 'sh', '-c', AUDIT_SCRIPT, 'authctl-audit', '/data/authentik/authctl-audit.log', '20'])
    expect(auditArgv(paths, 'all').at(-1)).toBe('all')
  })

  it('numbers the lines as in the file and says when there is no log yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-audit-'))
    const p = hostPaths(dir)
    expect(parseAuditLines(runLocal(auditArgv(p, 2)).stdout)).toEqual({ exists: false, lines: [] })
    writeFileSync(p.auditLog, 'one\ntwo\tthree\nfour\nfive')
    expect(parseAuditLines(runLocal(auditArgv(p, 2)).stdout).lines).toEqual([{ number: 3, text: 'four' }, { number: 4, text: 'five' }])
    expect(parseAuditLines(runLocal(auditArgv(p, 'all')).stdout).lines.map((l) => l.number)).toEqual([1, 2, 3, 4])
    expect(parseAuditLines(runLocal(auditArgv(p, 'all')).stdout).lines[1]?.text).toBe('two\tthree')
  })
})
