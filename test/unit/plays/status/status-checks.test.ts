// Each status check as a pure function of what was gathered: a healthy host passes everything, and
// each planted fault turns exactly the check that names it.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { PathState } from '../../../../src/remote/parse-state.js'
import type { CheckInput } from '../../../../src/plays/status/check.js'
import { durationText } from '../../../../src/plays/status/check.js'
import { runChecks, verdictOf } from '../../../../src/plays/status/status-checks.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const NOW = new Date('2026-03-01T12:00:00Z')
const DAY = 86_400_000
const root = '/data/authentik'
const file = (content: string, mode: number, uid = 0, gid = 0): PathState => ({ kind: 'file', sha256: sha(content), mode, uid, gid })
const LOGIN = '2026-03-01T11:58:00.000Z [INFO]  agent.auth.handler: authentication successful, sending token to sinks'
const ERROR = '2026-03-01T11:59:00.000Z [ERROR] agent.auth.handler: error authenticating:'
const BAD = ['  error=', '  | Code: 400. Errors:', '  | * invalid role or secret ID', '   backoff=5s']

// A host on which everything is as setup leaves it.
function healthy(): CheckInput {
  return {
    host: { name: 'h1', root, role: 'authentik' },
    desired: {
      dirs: [{ path: root, mode: 0o755, uid: 0, gid: 0 }],
      files: [{ path: `${root}/docker-compose.yml`, content: 'services: {}\n', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'compose-up' }],
    },
    facts: {
      state: {
        composeVersion: '', secretIdRecord: [`acc-one-1 ${sha('whatever')}`],
        paths: new Map<string, PathState>([
          [root, { kind: 'dir', mode: 0o755, uid: 0, gid: 0 }],
          [`${root}/docker-compose.yml`, file('services: {}\n', 0o644)],
          [`${root}/vault/config/role-id`, file('role-123\n', 0o400, 100, 1000)],
          [`${root}/vault/config/secret-id`, file('whatever', 0o400, 100, 1000)],
        ]),
        secretIdAccessor: 'acc-one-1',
        services: ['vault-agent', 'server', 'worker'].map((service) => ({ service, state: 'running', health: 'healthy' })),
      },
      envProbe: 0,
      secretsFs: { code: 0, type: 'tmpfs' },
      agentLog: [{ line: LOGIN, more: [] }],
    },
    roleId: { value: 'role-123' },
    secretId: { found: { expirationTime: new Date(NOW.getTime() + 30 * DAY) } },
    now: NOW,
    warnBeforeMs: 7 * DAY,
    staleAfterMs: 3_600_000,
    lockOwnerGone: () => false,
  }
}

// The one check with this id after changing the healthy host.
function check(id: string, change: (i: CheckInput) => void) {
  const input = healthy()
  change(input)
  return runChecks(input).find((c) => c.id === id)
}

const setPath = (path: string, state: PathState) => (i: CheckInput) => void i.facts.state.paths.set(path, state)
const lock = (details: string, mtime = NOW.getTime() / 1000 - 60) => (i: CheckInput) => void (i.facts.lock = { mtime, details })

describe('status checks', () => {
  it('a healthy host passes every check and shows no secret', () => {
    const checks = runChecks(healthy())
    expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual(['files:pass', 'role-id:pass', 'secret-id:pass', 'services:pass', 'env:pass', 'tmpfs:pass', 'agent-auth:pass', 'lock:pass', 'restart:pass'])
    expect(verdictOf(checks)).toBe('pass')
    expect(JSON.stringify(checks)).not.toContain('role-123')
    expect(checks.find((c) => c.id === 'secret-id')?.data).toEqual({ accessor: 'acc-one-1', held: 'current', pending: null, expiresAt: '2026-03-31T12:00:00.000Z', remainingSeconds: 30 * 86_400 })
  })

  it.each([
    ['a world-readable credential', setPath(`${root}/vault/config/secret-id`, file('x', 0o444, 100, 1000)), 'fail', `${root}/vault/config/secret-id: 0444 100:1000 (readable by everyone), want 0400 100:1000`],
    ['a group-readable credential', setPath(`${root}/vault/config/role-id`, file('role-123\n', 0o440, 100, 1000)), 'fail', `${root}/vault/config/role-id: 0440 100:1000 (readable by its group), want 0400 100:1000`],
    ['a credential the agent cannot read', setPath(`${root}/vault/config/role-id`, file('role-123\n', 0o600, 0, 0)), 'fail', `${root}/vault/config/role-id: 0600 0:0, want 0400 100:1000`],
    ['a missing compose file', (i: CheckInput) => void i.facts.state.paths.delete(`${root}/docker-compose.yml`), 'fail', `${root}/docker-compose.yml: missing`],
    ['a symlink where a file belongs', setPath(`${root}/docker-compose.yml`, { kind: 'other', type: 'symbolic link' }), 'fail', `${root}/docker-compose.yml: is a symbolic link, not a file`],
    ['a wrong directory mode', setPath(root, { kind: 'dir', mode: 0o777, uid: 0, gid: 0 }), 'fail', `${root}: 0777 0:0, want 0755 0:0`],
    ['a file edited by hand', setPath(`${root}/docker-compose.yml`, file('edited\n', 0o644)), 'warn', `${root}/docker-compose.yml: differs from what authctl setup would deploy`],
  ])('files: %s', (_name, change, status, summary) => {
    expect(check('files', change)).toMatchObject({ status, summary })
  })

  it.each([
    ['a role-id without a newline matches', setPath(`${root}/vault/config/role-id`, file('role-123', 0o400, 100, 1000)), 'pass', "matches Vault's role-id of AppRole authentik"],
    ['another role-id fails', setPath(`${root}/vault/config/role-id`, file('role-999\n', 0o400, 100, 1000)), 'fail', "differs from Vault's role-id of AppRole authentik: the agent cannot log in"],
    ['Vault unreadable', (i: CheckInput) => void (i.roleId = { error: 'Vault at x is sealed' }), 'fail', 'not compared: Vault: Vault at x is sealed'],
    ['no file', (i: CheckInput) => void i.facts.state.paths.delete(`${root}/vault/config/role-id`), 'skip', 'not compared: the role-id file is missing (see files)'],
  ])('role-id: %s', (_name, change, status, summary) => {
    expect(check('role-id', change)).toMatchObject({ status, summary })
  })

  it.each([
    ['unknown to Vault', (i: CheckInput) => void (i.secretId = { found: null }), 'fail', 'the file holds accessor acc-one-1, and Vault no longer has it: expired, used up or destroyed'],
    ['expiring within --warn-before', (i: CheckInput) => void (i.secretId = { found: { expirationTime: new Date(NOW.getTime() + 5 * DAY + 3_600_000) } }), 'warn', 'expires in 5d 1h (2026-03-06T13:00:00.000Z, accessor acc-one-1)'],
    ['past its expiry', (i: CheckInput) => void (i.secretId = { found: { expirationTime: new Date(NOW.getTime() - 120_000) } }), 'fail', 'expired 2m ago (2026-03-01T11:58:00.000Z, accessor acc-one-1)'],
    ['never expiring', (i: CheckInput) => void (i.secretId = { found: { expirationTime: null } }), 'pass', 'valid, never expires (the file holds accessor acc-one-1)'],
    ['no record (Ansible-era file)', (i: CheckInput) => { i.facts.state.secretIdRecord = []; i.secretId = undefined }, 'warn', 'the file holds a secret-id authctl did not record (deployed by Ansible or by hand?): which one, and its validity, cannot be checked'],
    ['no file', (i: CheckInput) => void i.facts.state.paths.delete(`${root}/vault/config/secret-id`), 'fail', 'no secret-id file on the host'],
    ['Vault refused the lookup', (i: CheckInput) => void (i.secretId = { error: 'Permission denied' }), 'fail', 'not checked: Vault: Permission denied'],
    // a swap whose outcome was unknown: the file is matched to the record by its checksum
    ['the file holds the pending one', (i: CheckInput) => void (i.facts.state.secretIdRecord = [`acc-old-01 ${sha('old')}`, `pending acc-one-1 ${sha('whatever')}`]), 'warn',
      'the file holds the new secret-id of a swap that did not finish (accessor acc-one-1, recorded as pending)'],
    ['the file holds the current one, a pending one never arrived', (i: CheckInput) => void i.facts.state.secretIdRecord.push(`pending acc-two-22 ${sha('new')}`), 'warn',
      'the file holds accessor acc-one-1; a swap to accessor acc-two-22 did not finish and the file does not hold it'],
    ['the file matches no record line', (i: CheckInput) => void (i.facts.state.secretIdRecord = [`acc-one-1 ${sha('other')}`]), 'fail',
      'the file holds none of the secret-ids its record names: changed outside authctl'],
    ['a shared secret-id (metadata names no host)', (i: CheckInput) => void (i.secretId = { found: { expirationTime: null, metadata: {} } }), 'warn',
      'the file holds accessor acc-one-1, whose metadata names no host (the Ansible-era shared one, or minted by hand)'],
    ['another host\'s secret-id', (i: CheckInput) => void (i.secretId = { found: { expirationTime: null, metadata: { host: 'h2' } } }), 'fail',
      'the file holds accessor acc-one-1, which Vault says was minted for h2 (a cloned or tampered host?)'],
  ])('secret-id: %s', (_name, change, status, summary) => {
    expect(check('secret-id', change)).toMatchObject({ status, summary })
  })
  it.each([
    ['nothing else live', { accessors: [], shared: [] }, 'pass', 'Vault has no other secret-id minted for this host, and no shared one'],
    ['one minted for the host, held by no host', { accessors: ['acc-left-01'] }, 'warn', 'Vault has 1 secret-id(s) minted for this host that its file does not hold: acc-left-01'],
    ['a shared one the host does not hold', { accessors: [], shared: ['acc-shrd-01'] }, 'warn', 'Vault still has shared secret-id(s) of role authentik (metadata naming no host) that this host does not hold: acc-shrd-01'],
    ['Vault could not list them', { error: 'permission denied' }, 'skip', 'not checked: Vault: permission denied'],
  ])('secret-id-left-live: %s', (_name, leftLive, status, summary) => {
    expect(check('secret-id-left-live', (i) => void (i.leftLive = leftLive))).toMatchObject({ status, summary })
  })


  it.each([
    ['services', 'a stopped worker', (i: CheckInput) => void (i.facts.state.services[2] = { service: 'worker', state: 'exited', health: '' }), 'fail', 'worker: exited'],
    ['services', 'no server container', (i: CheckInput) => void i.facts.state.services.splice(1, 1), 'fail', 'server: no container'],
    ['services', 'docker down', (i: CheckInput) => void (i.facts.dockerError = 'Cannot connect to the Docker daemon'), 'fail', 'docker: Cannot connect to the Docker daemon'],
    ['env', 'no .env', (i: CheckInput) => void (i.facts.envProbe = 1), 'fail', '/vault/secrets/.env is missing or empty: server and worker have no secrets'],
    ['env', 'the agent not running', (i: CheckInput) => void (i.facts.state.services[0] = { service: 'vault-agent', state: 'exited', health: '' }), 'skip', 'not checked: vault-agent is not running'],
    ['tmpfs', 'a disk where the tmpfs belongs', (i: CheckInput) => void (i.facts.secretsFs = { code: 0, type: 'ext2/ext3' }), 'fail', '/vault/secrets is on ext2/ext3, not a tmpfs: rendered secrets reach the disk'],
    ['restart', 'owed, no run in progress', (i: CheckInput) => void (i.facts.state.pendingRestart = 'agent'), 'fail', 'a restart of vault-agent, server and worker is owed by a run that did not finish: the services may run with old files'],
    ['restart', 'owed while a run holds the lock', (i: CheckInput) => { i.facts.state.pendingRestart = 'up'; lock('{"who":"a@b","since":"2026-03-01T11:59:00Z"}')(i) }, 'warn', "docker compose up is owed; the run holding the lock is doing it"],
  ])('%s: %s', (id, _name, change, status, summary) => {
    expect(check(id, change)).toMatchObject({ status, summary })
  })

  it('agent-auth: a failing login fails, names Vault\'s reason and warns of the shared lockout', () => {
    const c = check('agent-auth', (i) => void i.facts.agentLog.push({ line: ERROR, more: BAD }, { line: ERROR, more: BAD }))
    expect(c).toMatchObject({ status: 'fail', summary: 'the agent cannot log in: invalid role or secret ID (2 login error(s); last successful login 2026-03-01T11:58:00.000Z (2m ago))' })
    expect(c?.hint).toContain('5 failed logins in 15 minutes, and every host shares it')
    expect(c?.data).toEqual({ lastSuccess: '2026-03-01T11:58:00.000Z', loginErrors: 2, failedLoginsAtVault: 2, lastError: 'invalid role or secret ID' })
  })

  it('agent-auth: errors that never reached Vault fail without the lockout warning; a recovery only warns', () => {
    const noSecret = '2026-03-01T11:59:30.000Z [ERROR] agent.auth.handler: error getting path or data from method: error="no known secret ID" backoff=5s'
    const c = check('agent-auth', (i) => void (i.facts.agentLog = [{ line: noSecret, more: [] }]))
    expect(c).toMatchObject({ status: 'fail', summary: 'the agent cannot log in: no known secret ID (1 login error(s); no successful login in its recent logs)' })
    expect(c?.hint).not.toContain('lockout')
    const recovered = check('agent-auth', (i) => void (i.facts.agentLog = [{ line: ERROR, more: BAD }, { line: LOGIN.replace('11:58:00', '11:59:50'), more: [] }]))
    expect(recovered).toMatchObject({ status: 'warn', summary: 'last successful login 2026-03-01T11:59:50.000Z (10s ago), after 1 login error(s) (last: invalid role or secret ID)' })
    expect(recovered?.hint).toContain('every host shares it')
  })

  it('agent-auth: no login in the logs of a running agent warns; an agent that never ran is not checked', () => {
    expect(check('agent-auth', (i) => void (i.facts.agentLog = []))).toMatchObject({ status: 'warn', summary: "no login in the agent's last 500 log lines" })
    expect(check('agent-auth', (i) => { i.facts.agentLog = []; i.facts.state.services = [] })).toMatchObject({ status: 'skip' })
  })

  it.each([
    ['a fresh lock is a run in progress', lock('{"who":"ci@bastion","pid":42,"command":"authctl setup","since":"2026-03-01T11:50:00Z"}'), 'warn', 'deploy lock held by ci@bastion (pid 42) since 2026-03-01T11:50:00.000Z (10m): authctl setup: a run is in progress'],
    ['an old lock is stale', lock('{"who":"ci@bastion","pid":42,"since":"2026-03-01T09:00:00Z"}'), 'fail', 'stale deploy lock held by ci@bastion (pid 42) since 2026-03-01T09:00:00.000Z (3h)'],
    ['details lost: the dir age counts', lock('', NOW.getTime() / 1000 - 7200), 'fail', 'stale deploy lock held by an unknown run since 2026-03-01T10:00:00.000Z (2h)'],
    ['a lock whose process is gone', (i: CheckInput) => { lock('{"who":"me@here","pid":9,"since":"2026-03-01T11:59:00Z"}')(i); i.lockOwnerGone = (d) => d.pid === 9 }, 'fail', 'stale deploy lock held by me@here (pid 9) since 2026-03-01T11:59:00.000Z (1m); that process is no longer running'],
    ['control characters in the details are shown inert', lock('{"who":"x\\u001b[2Jy","since":"2026-03-01T11:59:00Z"}'), 'warn', 'deploy lock held by x\\x1b[2Jy since 2026-03-01T11:59:00.000Z (1m): a run is in progress'],
  ])('lock: %s', (_name, change, status, summary) => {
    expect(check('lock', change)).toMatchObject({ status, summary })
  })

  it('login-test: only when asked; skipped, failed, passed or left a token behind', () => {
    expect(check('login-test', () => undefined)).toBeUndefined()
    expect(check('login-test', (i) => void (i.loginTest = { skipped: 'no reason' }))).toMatchObject({ status: 'skip', summary: 'not tried: no reason' })
    expect(check('login-test', (i) => void (i.loginTest = { error: 'invalid role or secret ID' }))).toMatchObject({ status: 'fail' })
    expect(check('login-test', (i) => void (i.loginTest = { ok: { policies: ['default', 'read'], ttlSeconds: 3600 } }))).toMatchObject({
      status: 'pass', summary: 'AppRole login with the deployed credentials succeeded (policies: default, read); its token was revoked',
    })
    expect(check('login-test', (i) => void (i.loginTest = { ok: { policies: [], ttlSeconds: 3600, revokeError: 'boom' } }))).toMatchObject({ status: 'warn' })
  })

  it('a verdict is the worst check; a skipped check counts for nothing', () => {
    expect(verdictOf([{ id: 'a', status: 'pass', summary: '' }, { id: 'b', status: 'skip', summary: '' }])).toBe('pass')
    expect(verdictOf([{ id: 'a', status: 'warn', summary: '' }, { id: 'b', status: 'pass', summary: '' }])).toBe('warn')
    expect(verdictOf([{ id: 'a', status: 'warn', summary: '' }, { id: 'b', status: 'fail', summary: '' }])).toBe('fail')
  })

  it.each([[0, '0s'], [42_000, '42s'], [3_723_000, '1h 2m'], [3_600_000, '1h'], [30 * DAY - 1000, '29d 23h'], [DAY + 5000, '1d']])('durationText(%i) = %s', (ms, text) => {
    expect(durationText(ms)).toBe(text)
  })
})
