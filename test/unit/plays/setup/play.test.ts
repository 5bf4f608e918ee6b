// The setup play through recording fakes: which remote commands run, in which order, and what
// happens to minted secret-ids when something fails before any change.
import { describe, expect, it } from 'vitest'
import { ConfigError, UnreachableError, VaultError } from '../../../../src/errors.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { Secret } from '../../../../src/util/secret.js'
import { runSetup } from '../../../../src/plays/setup/play.js'
import type { SetupDeps, SetupHost, SetupOptions, SetupVault } from '../../../../src/plays/shared/setup-types.js'
import type { RemoteHost } from '../../../../src/remote/remote-host.js'

const opts: SetupOptions = { check: false, diff: false, newSecretId: false, serial: { count: 1 }, maxFail: { count: 0 }, forks: 10, lockWaitMs: 0, waitTimeoutS: 5, secretIdMinRemainingMs: 0, commandLine: 'authctl setup' }

function host(name: string): SetupHost {
  return { name, root: '/data/authentik', project: 'authentik', role: 'authentik', render: async () => ({ dirs: [], files: [{ path: '/data/authentik/docker-compose.yml', content: 'x', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'compose-up' }] }) }
}

// A host whose state read says: fresh, nothing deployed; every other command succeeds.
function fakeRemote(name: string, log: string[]): RemoteHost {
  return {
    name,
    exec: async (argv) => {
      // argv is sudo -n -- sh -c SCRIPT NAME args…: log the script's name
      const script = argv[6] ?? ''
      log.push(`${name} ${script}`)
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
  }
  return {
    vault: { ...base, ...vault },
    connect: async (names) => new Map(names.map((n) => [n, fakeRemote(n, log)])),
    reporter: silentReporter, auditLocal: async () => undefined, lockDetails: '{}', who: 't', now: () => new Date(0), signal: new AbortController().signal, hardSignal: new AbortController().signal,
  }
}

const scriptNames = (log: string[]) => log.map((l) => l.split(' ').slice(0, 2).join(' '))

describe('runSetup', () => {
  it('a Vault failure while minting for one host changes nothing anywhere and destroys what was minted', async () => {
    const log: string[] = []
    const d = deps({ createSecretId: async (_r, o) => {
      if (o.metadata.host === 'h2') throw new VaultError('permission denied on auth/approle/role/authentik/secret-id')
      return { secretId: new Secret('sid'), accessor: `acc-${o.metadata.host}` }
    } }, log)
    const result = await runSetup([host('h1'), host('h2')], d, { ...opts, forks: 1 })
    expect(result.hosts.map((h) => h.status)).toEqual(['skipped', 'failed'])
    expect(result.exitCode).toBe(6)
    expect(log).toContain('destroy acc-h1')
    // only the state reads ran on the hosts: no lock (it is taken by the write), no write, no converge
    expect(scriptNames(log).filter((l) => !l.startsWith('destroy')).sort()).toEqual(['h1 authctl-state', 'h2 authctl-state'])
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
})
