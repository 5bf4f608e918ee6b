// adopt through recording fake hosts: hosts on a shared or unrecorded secret-id get their own (proven
// by the agent's login), a host already on its own is left alone, and the shared secret-id is
// destroyed only when every host runs on its own; --check mints and writes nothing.
import { describe, expect, it } from 'vitest'
import { asDeployRoot } from '../../../../src/inventory/host-path.js'
import { silentReporter } from '../../../../src/engine/reporter.js'
import { Secret } from '../../../../src/util/secret.js'
import { runAdopt } from '../../../../src/plays/adopt/play.js'
import type { SwapVault } from '../../../../src/plays/shared/secret-id-swap-play.js'
import type { RemoteHost } from '../../../../src/remote/remote-host.js'
import { contentSha } from '../../../../src/steps/secret-id-record.js'
import { fakeHost, ROOT, SECRET } from '../shared/swap-fake.js'

const SHARED = 'the-shared-ansible-secret-id\n'
const OWN1 = 'h1-own-secret-id\n'

// h1 runs on its own secret-id (recorded, minted for h1); h2 and h3 hold the shared one, unrecorded
function fleet(log: string[], writes: Map<string, string[][]>, convergeCodes: Record<string, number[]>): Map<string, RemoteHost> {
  const host = (name: string, file: string, record: string) => {
    writes.set(name, [])
    return fakeHost(log, writes.get(name)!, { name, file, record, convergeCodes: convergeCodes[name] ?? [] })
  }
  return new Map([
    ['h1', host('h1', OWN1, `accessor\tacc-own-h1 ${contentSha(OWN1)}\n`)],
    ['h2', host('h2', SHARED, '')],
    ['h3', host('h3', SHARED, '')],
  ])
}

function vault(log: string[]): SwapVault {
  const live = new Map<string, Record<string, string>>([['acc-own-h1', { host: 'h1' }], ['acc-shared1', {}]])
  return {
    lookupSecretIdAccessor: async (_r, a) => (live.has(a) ? { expirationTime: null, metadata: live.get(a)! } : null),
    createSecretId: async (_r, o) => {
      const accessor = `acc-new-${o.metadata.host}`
      live.set(accessor, o.metadata)
      log.push(`mint ${accessor}`)
      return { secretId: new Secret(`sid-${o.metadata.host}`), accessor }
    },
    destroySecretIdAccessor: async (_r, a) => (log.push(`destroy ${a}`), live.delete(a)),
    listSecretIdAccessors: async () => [...live.keys()],
  }
}

function run(opts: { check?: boolean; wholeInventory?: boolean; convergeCodes?: Record<string, number[]> } = {}) {
  const log: string[] = []
  const writes = new Map<string, string[][]>()
  const remotes = fleet(log, writes, opts.convergeCodes ?? {})
  const hosts = ['h1', 'h2', 'h3'].map((name) => ({ name, root: asDeployRoot(ROOT), project: 'authentik', role: 'authentik' }))
  const result = runAdopt(hosts, {
    connect: async () => remotes, reporter: silentReporter, auditLocal: async () => undefined, lockDetails: '{}', who: 't',
    now: () => new Date(0), signal: new AbortController().signal, hardSignal: new AbortController().signal, vault: vault(log),
  }, { forks: 1, serial: { count: 1 }, maxFail: { count: 1 }, lockWaitMs: 0, waitTimeoutS: 5, commandLine: 'authctl adopt', check: opts.check, wholeInventory: opts.wholeInventory ?? true })
  return { result, log, writes }
}

describe('adopt', () => {
  it('gives each host on the shared secret-id its own, leaves h1 alone, then destroys the shared one', async () => {
    const { result, log, writes } = run()
    const r = await result
    expect(r.exitCode).toBe(0)
    expect(r.hosts.map((h) => [h.host, h.status, h.accessor])).toEqual([['h1', 'ok', null], ['h2', 'changed', 'acc-new-h2'], ['h3', 'changed', 'acc-new-h3']])
    expect(r.hosts.map((h) => h.held?.kind)).toEqual(['own', 'unrecorded', 'unrecorded'])
    expect(writes.get('h1')).toEqual([])
    expect(writes.get('h2')?.[0]?.[1]).toBe(`${SECRET}=sid-h2\n`)
    // the shared one is destroyed only after every host proved its own login, and nothing else is
    expect(log.filter((l) => l.startsWith('destroy'))).toEqual(['destroy acc-shared1'])
    expect(r.shared).toEqual([{ role: 'authentik', shared: ['acc-shared1'], destroyed: ['acc-shared1'], failed: [], holders: [], kept: null }])
  })

  it('a host whose agent cannot log in with its own gets the shared one back, and the shared one is kept', async () => {
    const { result, log, writes } = run({ convergeCodes: { h3: [12, 0] } })
    const r = await result
    expect(r.exitCode).toBe(2)
    expect(r.hosts[2]).toMatchObject({ status: 'failed', restored: true })
    expect(writes.get('h3')?.[1]?.[0]).toBe(`${SECRET}=${SHARED}`)
    expect(log).toContain('destroy acc-new-h3')
    expect(log).not.toContain('destroy acc-shared1')
    expect(r.shared[0]).toMatchObject({ shared: ['acc-shared1'], destroyed: [], holders: ['h3'] })
    expect(r.shared[0]?.kept).toMatch(/h3 may still hold it/)
  })

  it('--check mints nothing, writes nothing, and lists the hosts that would get their own', async () => {
    const { result, log, writes } = run({ check: true })
    const r = await result
    expect(r.exitCode).toBe(0)
    expect(log.filter((l) => l.startsWith('mint') || l.startsWith('destroy'))).toEqual([])
    expect([...writes.values()].flat()).toEqual([])
    expect(log.filter((l) => l !== 'authctl-state')).toEqual([])
    expect(r.shared[0]).toMatchObject({ shared: ['acc-shared1'], destroyed: [], holders: ['h2', 'h3'] })
  })

  it('with --limit the shared one is kept even when every selected host has its own', async () => {
    const { result, log } = run({ wholeInventory: false })
    const r = await result
    expect(log).not.toContain('destroy acc-shared1')
    expect(r.shared[0]?.kept).toMatch(/--limit/)
  })

  it('a host on the pending secret-id of an unsettled swap is not taken for adopted: it gets one its agent proves', async () => {
    const log: string[] = []
    const writes: string[][] = []
    const PENDING = 'unproven-secret-id\n'
    const remote = fakeHost(log, writes, { name: 'h2', file: PENDING, record: `accessor\tacc-own-h2 ${contentSha('older\n')}\naccessor\tpending acc-pend-h2 ${contentSha(PENDING)}\n`, convergeCodes: [] })
    const v = vault(log)
    const base = v.lookupSecretIdAccessor
    v.lookupSecretIdAccessor = async (r, a) => (a === 'acc-pend-h2' ? { expirationTime: null, metadata: { host: 'h2' } } : base(r, a))
    const r = await runAdopt([{ name: 'h2', root: asDeployRoot(ROOT), project: 'authentik', role: 'authentik' }], {
      connect: async () => new Map([['h2', remote]]), reporter: silentReporter, auditLocal: async () => undefined, lockDetails: '{}', who: 't',
      now: () => new Date(0), signal: new AbortController().signal, hardSignal: new AbortController().signal, vault: v,
    }, { forks: 1, serial: { count: 1 }, maxFail: { count: 0 }, lockWaitMs: 0, waitTimeoutS: 5, commandLine: 'authctl adopt', wholeInventory: false })
    expect(r.hosts[0]).toMatchObject({ status: 'changed', accessor: 'acc-new-h2', held: { kind: 'pending', accessor: 'acc-pend-h2' } })
    // the unproven one is destroyed once the new one's login is proven
    expect(log).toContain('destroy acc-pend-h2')
  })
})
