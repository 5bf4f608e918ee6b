// The status play through fake hosts and a fake Vault: one round trip per host, the --json shape,
// the exit codes (2 failed check, 4 unreachable, 6 Vault, --strict), and --login-test's credentials
// kept as Secret, never in the result.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { EngineDeps } from '../../../../src/engine/play.js'
import { UnreachableError, VaultError } from '../../../../src/errors.js'
import { Secret } from '../../../../src/util/secret.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import type { RemoteHost } from '../../../../src/remote/remote-host.js'
import type { SetupHost } from '../../../../src/plays/shared/setup-types.js'
import { runStatus, type StatusDeps } from '../../../../src/plays/status/play.js'
import type { StatusVaultPort } from '../../../../src/vault/status-vault.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const root = '/data/authentik'
const ROLE_ID = 'role-id-sentinel-0001'
const SECRET_ID = 'secret-id-sentinel-0002'
const NOW = new Date('2026-03-01T12:00:00Z')

const host = (name: string): SetupHost => ({
  name, root, project: 'authentik', role: 'authentik',
  render: async () => ({ dirs: [{ path: root, mode: 0o755, uid: 0, gid: 0 }], files: [{ path: `${root}/docker-compose.yml`, content: 'x\n', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'compose-up' }] }),
})

// What the status script prints on a healthy host (optionally changed).
function statusOutput(extra: string[] = [], envExit = 0, name = 'h1'): string {
  const cred = (n: string, content: string) => [`stat\tregular file\t400\t100\t1000\t${root}/vault/config/${n}`, `sha\t${sha(content)}  ${root}/vault/config/${n}`]
  return [
    `stat\tdirectory\t755\t0\t0\t${root}`,
    `stat\tregular file\t644\t0\t0\t${root}/docker-compose.yml`, `sha\t${sha('x\n')}  ${root}/docker-compose.yml`,
    ...cred('role-id', ROLE_ID + '\n'), ...cred('secret-id', SECRET_ID + '\n'),
    `accessor\tacc-host-${name} ${sha(SECRET_ID + '\n')}`,
    ...['vault-agent', 'server', 'worker'].map((s) => `ps\t{"Service":"${s}","State":"running","Health":"healthy"}`),
    `env\t${envExit}`, 'secrets-fs\t0\ttmpfs',
    'agent\t2026-03-01T11:58:00.000Z [INFO]  agent.auth.handler: authentication successful, sending token to sinks',
    ...extra,
  ].join('\n') + '\n'
}

function fakeRemote(name: string, calls: string[], output: string): RemoteHost {
  return {
    name,
    exec: async (argv) => {
      calls.push(`${name} ${argv[6]}`)
      if (argv[6] === 'authctl-read') {
        const b64 = (s: string) => Buffer.from(s + '\n').toString('base64')
        return { stdout: `${root}/vault/config/role-id\t${b64(ROLE_ID)}\n${root}/vault/config/secret-id\t${b64(SECRET_ID)}\n`, stderr: '', code: 0 }
      }
      return { stdout: output, stderr: '', code: 0 }
    },
  }
}

interface Setup { outputs?: Record<string, string>; unreachable?: string[]; vault?: Partial<StatusVaultPort> }

function deps(calls: string[], s: Setup = {}): StatusDeps & { logins: unknown[] } {
  const logins: unknown[] = []
  const engine: EngineDeps = {
    connect: async (names) => new Map(names.map((n) => [n, s.unreachable?.includes(n) ? new UnreachableError(`${n}: cannot connect`) : fakeRemote(n, calls, s.outputs?.[n] ?? statusOutput([], 0, n))])),
    reporter: silentReporter, auditLocal: async () => undefined, lockDetails: '{}', who: 't', now: () => NOW,
    signal: new AbortController().signal, hardSignal: new AbortController().signal,
  }
  const vault: StatusVaultPort = {
    addr: 'http://vault.test:8200',
    readRoleId: async () => ROLE_ID,
    // each host's secret-id was minted for it (acc-host-h1 for h1)
    lookupSecretIdAccessor: async (_r, a) => ({ expirationTime: new Date(NOW.getTime() + 30 * 86_400_000), metadata: { host: a.slice(9) } }),
    listSecretIdAccessors: async () => ['acc-host-h1', 'acc-host-h2'],
    loginTest: async (roleId, secretId) => {
      logins.push({ roleId, secretId, revealed: [roleId.reveal(), secretId.reveal()] })
      return { policies: ['default'], ttlSeconds: 3600 }
    },
    ...s.vault,
  }
  return { ...engine, vault, lockOwnerGone: () => false, logins }
}

const opts = { warnBeforeMs: 7 * 86_400_000, staleAfterMs: 3_600_000, strict: false, loginTest: false, forks: 5, commandLine: 'authctl status' }

describe('status play', () => {
  it('checks every host in one round trip each and pins the --json shape', async () => {
    const calls: string[] = []
    const r = await runStatus([host('h1'), host('h2')], deps(calls), opts)
    expect(calls.sort()).toEqual(['h1 authctl-status', 'h2 authctl-status'])
    expect(r.exitCode).toBe(0)
    expect(Object.keys(r).sort()).toEqual(['exitCode', 'hosts', 'interrupted', 'strict', 'summary', 'timings', 'vault'])
    expect(r.summary).toEqual({ hosts: 2, pass: 2, warn: 0, fail: 0, unreachable: 0 })
    expect(r.vault).toEqual({ addr: 'http://vault.test:8200', error: null })
    expect(Object.keys(r.hosts[0]!).sort()).toEqual(['checks', 'durationMs', 'host', 'status', 'timings', 'verdict', 'warnings'])
    expect(r.hosts[0]!.checks.map((c) => c.id)).toEqual(['reachable', 'files', 'role-id', 'secret-id', 'secret-id-left-live', 'services', 'env', 'tmpfs', 'agent-auth', 'lock', 'restart'])
    for (const c of r.hosts[0]!.checks) expect(Object.keys(c).every((k) => ['id', 'status', 'summary', 'hint', 'details', 'data'].includes(k))).toBe(true)
    expect(JSON.stringify(r)).not.toContain(ROLE_ID)
  })

  it('a failed check exits 2; an unreachable host exits 4 and keeps the others\' checks', async () => {
    const failing = await runStatus([host('h1'), host('h2')], deps([], { outputs: { h2: statusOutput([], 1, 'h2') } }), opts)
    expect([failing.exitCode, failing.hosts.map((h) => h.verdict)]).toEqual([2, ['pass', 'fail']])
    const down = await runStatus([host('h1'), host('h2')], deps([], { unreachable: ['h1'], outputs: { h2: statusOutput([], 1, 'h2') } }), opts)
    expect(down.exitCode).toBe(4)
    expect(down.hosts[0]).toMatchObject({ verdict: 'unreachable', status: 'unreachable', checks: [{ id: 'reachable', status: 'fail', summary: 'h1: cannot connect' }] })
    expect(down.hosts[1]!.checks.find((c) => c.id === 'env')?.status).toBe('fail')
    expect(down.summary).toMatchObject({ fail: 1, unreachable: 1 })
  })

  it('a warning passes, or exits 2 under --strict', async () => {
    const lock = 'lock\t1772366000\t{"who":"a@b","since":"2026-03-01T11:59:00Z"}'
    const warn = await runStatus([host('h1')], deps([], { outputs: { h1: statusOutput([lock]) } }), opts)
    expect([warn.exitCode, warn.hosts[0]!.verdict]).toEqual([0, 'warn'])
    const strict = await runStatus([host('h1')], deps([], { outputs: { h1: statusOutput([lock]) } }), { ...opts, strict: true })
    expect([strict.exitCode, strict.strict]).toEqual([2, true])
  })

  it('Vault that cannot be asked is reported on every host and exits 6, while the hosts are still checked', async () => {
    const sealed = async () => { throw new VaultError('Vault at http://vault.test:8200 is sealed') }
    const r = await runStatus([host('h1')], deps([], { vault: { readRoleId: sealed } }), opts)
    expect(r.exitCode).toBe(6)
    expect(r.vault.error).toBe('Vault at http://vault.test:8200 is sealed')
    expect(r.hosts[0]!.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['role-id', 'secret-id'])
    expect(r.hosts[0]!.checks.find((c) => c.id === 'services')?.status).toBe('pass')
  })

  it('--login-test reads the credentials into Secrets, logs in once per host, and never shows them', async () => {
    const calls: string[] = []
    const d = deps(calls)
    const r = await runStatus([host('h1')], d, { ...opts, loginTest: true })
    expect(calls).toEqual(['h1 authctl-status', 'h1 authctl-read'])
    expect(d.logins).toHaveLength(1)
    const login = d.logins[0] as { roleId: unknown; secretId: unknown; revealed: string[] }
    expect(login.roleId).toBeInstanceOf(Secret)
    expect(login.secretId).toBeInstanceOf(Secret)
    expect(login.revealed).toEqual([ROLE_ID, SECRET_ID])
    expect(r.hosts[0]!.checks.at(-1)).toMatchObject({ id: 'login-test', status: 'pass' })
    expect(JSON.stringify(r)).not.toMatch(new RegExp(`${ROLE_ID}|${SECRET_ID}`))
  })

  it('--login-test does not try a secret-id Vault no longer knows (a failed login counts toward the lockout)', async () => {
    const calls: string[] = []
    const d = deps(calls, { vault: { lookupSecretIdAccessor: async () => null } })
    const r = await runStatus([host('h1')], d, { ...opts, loginTest: true })
    expect(calls).toEqual(['h1 authctl-status'])
    expect(d.logins).toEqual([])
    expect(r.hosts[0]!.checks.at(-1)).toMatchObject({ id: 'login-test', status: 'skip' })
    expect(r.exitCode).toBe(2)
  })

  it('a failed login is a failed check naming Vault\'s answer', async () => {
    const refuse = async () => { throw new VaultError('Vault POST auth/approle/login failed (400): invalid role or secret ID', { status: 400 }) }
    const r = await runStatus([host('h1')], deps([], { vault: { loginTest: refuse } }), { ...opts, loginTest: true })
    expect(r.hosts[0]!.checks.at(-1)).toMatchObject({ id: 'login-test', status: 'fail', summary: 'AppRole login with the deployed credentials failed: Vault POST auth/approle/login failed (400): invalid role or secret ID' })
    expect([r.exitCode, r.vault.error]).toEqual([2, null])
  })

  // failed on the code before this change: status looked up the record's first line (the old secret-id), not the file's
  it('looks up the secret-id the file holds (matched by checksum), and reports Vault\'s secret-ids for the host that it does not hold', async () => {
    const looked: string[] = []
    const pending = statusOutput().replace(`accessor\tacc-host-h1 ${sha(SECRET_ID + '\n')}`, `accessor\tacc-host-h1 ${sha('old\n')}\naccessor\tpending acc-newer-h1 ${sha(SECRET_ID + '\n')}`)
    const d = deps([], {
      outputs: { h1: pending },
      vault: {
        lookupSecretIdAccessor: async (_r, a) => (looked.push(a), { expirationTime: null, metadata: { host: 'h1' } }),
        listSecretIdAccessors: async () => ['acc-host-h1', 'acc-newer-h1'],
      },
    })
    const r = await runStatus([host('h1')], d, opts)
    const secretId = r.hosts[0]!.checks.find((c) => c.id === 'secret-id')
    expect(looked[0]).toBe('acc-newer-h1')
    expect(secretId).toMatchObject({ status: 'warn', data: { accessor: 'acc-newer-h1', held: 'pending' } })
    expect(r.hosts[0]!.checks.find((c) => c.id === 'secret-id-left-live')).toMatchObject({ status: 'warn', summary: expect.stringContaining('acc-host-h1') })
  })
})
