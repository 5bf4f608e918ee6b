// The setup play through recording fakes: which remote commands run, in which order, and what
// happens to minted secret-ids when something fails before any change.
import { describe, expect, it } from 'vitest'
import { ConfigError, UnreachableError, VaultError } from '../../../../src/errors.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { Secret } from '../../../../src/util/secret.js'
import { runSetup } from '../../../../src/plays/setup/play.js'
import type { SetupDeps, SetupHost, SetupOptions, SetupVault } from '../../../../src/plays/shared/setup-types.js'
import type { RemoteHost } from '../../../../src/remote/remote-host.js'
import { WRITTEN_LINE } from '../../../../src/remote/write-converge-script.js'
import { WRITE_EXIT } from '../../../../src/remote/write-script.js'
import { contentSha } from '../../../../src/steps/secret-id-record.js'
import { fakeHost, OLD, ROOT, SECRET } from '../shared/swap-fake.js'

const opts: SetupOptions = { check: false, diff: false, newSecretId: false, serial: { count: 1 }, maxFail: { count: 0 }, forks: 10, lockWaitMs: 0, waitTimeoutS: 5, secretIdMinRemainingMs: 0, commandLine: 'authctl setup' }

function host(name: string): SetupHost {
  return { name, root: '/data/authentik', project: 'authentik', role: 'authentik', render: async () => ({ dirs: [], files: [{ path: '/data/authentik/docker-compose.yml', content: 'x', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'compose-up' }] }) }
}

// A host whose state read says: fresh, nothing deployed; every other command succeeds.
function fakeRemote(name: string, log: string[]): RemoteHost {
  return {
    name,
    exec: async (argv, o = {}) => {
      // argv is sudo -n -- sh -c SCRIPT NAME args…: log the script's name
      const script = argv[6] ?? ''
      log.push(`${name} ${script}`)
      if (script === 'authctl-write-converge') {
        o.onLine?.('stdout', WRITTEN_LINE)
        return { stdout: 'step\thealthy\n', stderr: '', code: 0 }
      }
      return { stdout: script === 'authctl-state' ? 'compose-version\t2.29.7\n' : '', stderr: '', code: 0 }
    },
  }
}

function deps(vault: Partial<SetupVault>, log: string[]): SetupDeps {
  const base: SetupVault = {
    preflight: async () => undefined,
    readRoleId: async () => 'role',
    lookupSecretIdAccessor: async () => null,
    createSecretId: async (_r, o) => ({ secretId: new Secret(`sid-${o.metadata.host}`), accessor: `acc-${o.metadata.host}` }),
    destroySecretIdAccessor: async (_r, a) => (log.push(`destroy ${a}`), true),
    listSecretIdAccessors: async () => [],
  }
  return {
    vault: { ...base, ...vault },
    connect: async (names) => new Map(names.map((n) => [n, fakeRemote(n, log)])),
    reporter: silentReporter, auditLocal: async () => undefined, lockDetails: '{}', who: 't', now: () => new Date(0), signal: new AbortController().signal, hardSignal: new AbortController().signal,
  }
}

const scriptNames = (log: string[]) => log.map((l) => l.split(' ').slice(0, 2).join(' '))

describe('runSetup', () => {
  it('a Vault failure on a host\'s mint fails that host at its turn: nothing is written there, and the host before it keeps its own', async () => {
    const log: string[] = []
    const d = deps({ createSecretId: async (_r, o) => {
      if (o.metadata.host === 'h2') throw new VaultError('permission denied on auth/approle/role/authentik/secret-id')
      return { secretId: new Secret('sid'), accessor: `acc-${o.metadata.host}` }
    } }, log)
    const result = await runSetup([host('h1'), host('h2')], d, { ...opts, forks: 1 })
    expect(result.hosts.map((h) => h.status)).toEqual(['changed', 'failed'])
    expect(result.exitCode).toBe(6)
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual([])
    // h2: its state read and the release of the lock its failed turn may have taken; no write
    expect(scriptNames(log).sort()).toEqual(['h1 authctl-release', 'h1 authctl-state', 'h1 authctl-write-converge', 'h2 authctl-release', 'h2 authctl-state'])
  })

  // failed on the code before this change: every host's secret-id was minted in prepare, before any host was applied
  it('mints a host\'s secret-id only at its turn: when the first host fails, the next one gets none', async () => {
    const log: string[] = []
    const minted: string[] = []
    const d = deps({ createSecretId: async (_r, o) => (minted.push(o.metadata.host!), { secretId: new Secret('sid'), accessor: `acc-${o.metadata.host}` }) }, log)
    const locked: RemoteHost = {
      name: 'h1',
      exec: async (argv) => {
        const script = argv[6] ?? ''
        log.push(`h1 ${script}`)
        // another run took h1's lock between the state read and the write: nothing written
        return script === 'authctl-state' ? { stdout: 'compose-version\t2.29.7\n', stderr: '', code: 0 } : { stdout: 'locked\tci@runner\n', stderr: '', code: WRITE_EXIT.lockHeld }
      },
    }
    const result = await runSetup([host('h1'), host('h2')], { ...d, connect: async (names) => new Map(names.map((n) => [n, n === 'h1' ? locked : fakeRemote(n, log)])) }, { ...opts, forks: 1 })
    expect(result.hosts.map((h) => h.status)).toEqual(['failed', 'skipped'])
    expect(minted).toEqual(['h1'])
    // the one minted for h1 never reached it: destroyed
    expect(log).toContain('destroy acc-h1')
  })

  it('--check reads state and releases nothing (it never locks), mints nothing', async () => {
    const log: string[] = []
    let minted = 0
    const result = await runSetup([host('h1')], deps({ createSecretId: async () => { minted++; return { secretId: new Secret('s'), accessor: 'a' } } }, log), { ...opts, check: true })
    expect(minted).toBe(0)
    expect(result.hosts[0]?.secretId?.action).toBe('would-mint')
    expect(scriptNames(log)).toEqual(['h1 authctl-state'])
  })

  it('a sealed Vault fails before any command runs on a host (connecting overlaps the Vault calls)', async () => {
    const log: string[] = []
    const d = deps({ preflight: async () => { throw new VaultError('Vault is sealed') } }, log)
    await expect(runSetup([host('h1')], d, opts)).rejects.toThrow('Vault is sealed')
    expect(log).toEqual([])
  })

  it('a broken template fails before Vault or any host is asked', async () => {
    const log: string[] = []
    let asked = false
    const d = deps({ preflight: async () => void (asked = true) }, log)
    const broken = { ...host('h1'), render: async () => { throw new ConfigError('templates/config.hcl.ejs:3: unknown name') } }
    await expect(runSetup([broken], { ...d, connect: async () => { asked = true; return new Map() } }, opts)).rejects.toThrow('unknown name')
    expect(asked).toBe(false)
  })

  // failed on the code before this change: the cut write counted as "not written", so the secret-id the host now holds was destroyed
  it('a connection cut during the write of a new secret-id: the minted one is not destroyed and stays recorded as pending', async () => {
    const log: string[] = []
    const d = deps({}, log)
    const cut: RemoteHost = {
      name: 'h1',
      exec: async (argv, o = {}) => {
        const script = argv[6] ?? ''
        log.push(`h1 ${script}`)
        if (script === 'authctl-state') return { stdout: 'compose-version\t2.29.7\n', stderr: '', code: 0 }
        // the host renamed the files, only the first "wrote" line arrived before the cut
        o.onLine?.('stdout', 'wrote\t/data/authentik/.authctl/pending-restart')
        throw new UnreachableError('h1: the SSH connection was lost')
      },
    }
    const result = await runSetup([host('h1')], { ...d, connect: async () => new Map([['h1', cut]]) }, opts)
    expect(result.exitCode).toBe(4)
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual([])
    expect(result.hosts[0]?.warnings.join('\n')).toMatch(/outcome .*unknown.*acc-h1.*pending/s)
  })

  describe('a new secret-id the agent refuses', () => {
    const mine = { lookupSecretIdAccessor: async () => ({ expirationTime: null, metadata: { host: 'h1', created_by: 'authctl' } }) }
    function refused(convergeCodes: number[], vault: Partial<SetupVault> = mine) {
      const log: string[] = []
      const writes: string[][] = []
      const remote = fakeHost(log, writes, { convergeCodes })
      const d = deps(vault, log)
      return { log, writes, result: runSetup([host('h1')], { ...d, connect: async () => new Map([['h1', remote]]) }, { ...opts, newSecretId: true }) }
    }

    // failed on the code before this change: setup had no put-back (one write, nothing destroyed, the old file gone)
    it('the previous one and its record go back, the new one is destroyed, and the stack restarts on the old one', async () => {
      const { log, writes, result } = refused([12, 0])
      const r = await result
      expect(r.exitCode).toBe(2)
      expect(r.hosts[0]?.error?.message).toMatch(/vault-agent did not log in.*the previous secret-id was put back and stays valid, the new one was destroyed/)
      expect(writes[1]).toEqual([`${SECRET}=${OLD}`, `${ROOT}/vault/config/secret-id.accessor=acc-old-01 ${contentSha(OLD)}\n`])
      expect(log).toContain('destroy acc-h1')
      expect(log).not.toContain('destroy acc-old-01')
      expect(log.filter((l) => l.startsWith('authctl-') && l !== 'authctl-release')).toEqual(['authctl-state', 'authctl-read-secret', 'authctl-write-converge', 'authctl-write', 'authctl-converge'])
    })

    it('a previous one Vault no longer knows is not put back (the agent could not log in with it either): the new one stays', async () => {
      const { log, writes, result } = refused([12], { lookupSecretIdAccessor: async () => null })
      const r = await result
      expect(r.exitCode).toBe(2)
      expect(writes).toHaveLength(1)
      expect(log).not.toContain('authctl-read-secret')
      expect(log.filter((l) => l.startsWith('destroy'))).toEqual([])
    })

    it('a converge that failed otherwise (the app unhealthy) puts nothing back: the new one stays, the old one stays owed', async () => {
      const { log, writes, result } = refused([11])
      const r = await result
      expect(r.exitCode).toBe(2)
      expect(writes).toHaveLength(1)
      expect(log.filter((l) => l.startsWith('destroy'))).toEqual([])
      expect(r.hosts[0]?.warnings.join('\n')).toContain('replaced secret-id(s) acc-old-01 stay valid until a run succeeds')
    })
  })

  // failed on the code before this change: nothing destroyed a secret-id a killed run had minted for the host
  it('once its write took the host\'s lock, destroys what authctl minted for the host that no record names', async () => {
    const log: string[] = []
    const writes: string[][] = []
    const remote = fakeHost(log, writes, { convergeCodes: [0] })
    const d = deps({
      lookupSecretIdAccessor: async () => ({ expirationTime: null, metadata: { host: 'h1', created_by: 'authctl' } }),
      listSecretIdAccessors: async () => (log.push('list'), ['acc-old-01', 'acc-h1', 'acc-left-01']),
    }, log)
    const r = await runSetup([host('h1')], { ...d, connect: async () => new Map([['h1', remote]]) }, { ...opts, newSecretId: true })
    expect(r.exitCode).toBe(0)
    expect(r.hosts[0]?.secretId).toMatchObject({ action: 'mint', accessor: 'acc-h1', destroyed: ['acc-old-01', 'acc-left-01'] })
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual(['destroy acc-old-01', 'destroy acc-left-01'])
    // --check takes no lock: it never lists, let alone destroys
    log.length = 0
    await runSetup([host('h1')], { ...d, connect: async () => new Map([['h1', fakeHost(log, [], { convergeCodes: [] })]]) }, { ...opts, check: true })
    expect(log.filter((l) => l === 'list' || l.startsWith('destroy'))).toEqual([])
  })
})
