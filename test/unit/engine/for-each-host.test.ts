// The engine's read-only entry through fake hosts: statuses and the worst exit code, unreachable hosts,
// the --forks bound (and every host at once), the first and second Ctrl-C, and the per-host time bound.
import { describe, expect, it } from 'vitest'
import { forEachHost, type ReadOnlyDeps } from '../../../src/engine/for-each-host.js'
import { HostFailedError, InterruptedError, UnreachableError } from '../../../src/errors.js'
import type { Reporter } from '../../../src/engine/reporter.js'
import type { ExecOptions } from '../../../src/remote/exec-result.js'
import type { RemoteHost } from '../../../src/remote/remote-host.js'

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms))

// A host whose command answers "<name>" after `ms`, or rejects once its signal aborts (as the transport does).
function fakeHost(name: string, seen: ExecOptions[] = [], ms = 1): RemoteHost {
  return {
    name,
    exec: (_argv, opts = {}) => new Promise((resolve, reject) => {
      seen.push(opts)
      const timer = setTimeout(() => resolve({ stdout: name, stderr: '', code: 0 }), ms)
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(new InterruptedError(`${name}: cancelled`))
      }, { once: true })
    }),
  }
}

function deps(remotes: Record<string, RemoteHost | Error>, extra: Partial<ReadOnlyDeps<RemoteHost>> = {}) {
  const warnings: string[] = []
  const reporter: Reporter = { event: () => undefined, warn: (h, m) => warnings.push(`${h} ${m}`) }
  const d: ReadOnlyDeps<RemoteHost> = {
    connect: async (names) => new Map(names.filter((n) => n in remotes).map((n) => [n, remotes[n] as RemoteHost | Error])),
    reporter, signal: new AbortController().signal, hardSignal: new AbortController().signal, ...extra,
  }
  return { d, warnings }
}

const hosts = (...names: string[]) => names.map((name) => ({ name }))
const read = async (_h: { name: string }, v: { remote: RemoteHost }) => (await v.remote.exec(['read'])).stdout

describe('forEachHost', () => {
  it('visits each reached host; statuses in inventory order, exit code the worst (unreachable over failed)', async () => {
    const { d, warnings } = deps({ a: fakeHost('a', [], 20), b: new UnreachableError('b: no route'), c: fakeHost('c'), d: new Error('d: refused'), e: fakeHost('e') })
    const r = await forEachHost(hosts('a', 'b', 'c', 'd', 'e', 'f'), d, { forks: 10 }, async (h, v) => {
      if (h.name === 'c') throw new HostFailedError('c: broken')
      if (h.name === 'e') throw new TypeError('oops')
      return read(h, v)
    })
    expect(r.hosts.map((h) => [h.host, h.status, h.exitCode, h.status === 'ok' ? h.value : h.error.message])).toEqual([
      ['a', 'ok', 0, 'a'],
      ['b', 'unreachable', 4, 'b: no route'],
      ['c', 'failed', 2, 'c: broken'],
      ['d', 'unreachable', 4, 'd: refused'],
      ['e', 'failed', 1, 'oops'],
      ['f', 'unreachable', 4, 'f: no connection was attempted'],
    ])
    expect([r.exitCode, r.interrupted]).toEqual([4, false])
    // the engine reports what it decided (unreachable); a visitor's failure is the visitor's to say
    expect(warnings).toEqual(['b b: no route', 'd d: refused', 'f f: no connection was attempted'])
    const failedOnly = await forEachHost(hosts('a', 'c'), deps({ a: fakeHost('a'), c: fakeHost('c') }).d, { forks: 2 }, async (h, v) => {
      if (h.name === 'c') throw new HostFailedError('c: broken')
      return read(h, v)
    })
    expect(failedOnly.exitCode).toBe(2)
  })

  it('a connect error quoting the peer is sanitized once, for every command: message, hint and warning', async () => {
    const evil = 'bye \x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u202e\r\nline two'
    const { d, warnings } = deps({ a: new UnreachableError(`a: failed: ${evil}`, { hint: `ask ${evil}` }), b: new Error(`b: ${evil}`) })
    const r = await forEachHost(hosts('a', 'b'), d, { forks: 2 }, read)
    const shown = 'bye \\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2J\\u202e\nline two'
    expect(r.hosts.map((h) => (h.status === 'ok' ? h : [h.status, h.error.message, h.error.hint]))).toEqual([['unreachable', `a: failed: ${shown}`, `ask ${shown}`], ['unreachable', `b: ${shown}`, undefined]])
    expect(warnings).toEqual([`a a: failed: ${shown}`, `b b: ${shown}`])
  })

  it('keeps at most --forks hosts in flight; Infinity visits every host at once', async () => {
    const names = ['a', 'b', 'c', 'd', 'e']
    const peak = async (forks: number) => {
      let now = 0
      let most = 0
      await forEachHost(hosts(...names), deps(Object.fromEntries(names.map((n) => [n, fakeHost(n)]))).d, { forks }, async () => {
        most = Math.max(most, ++now)
        await tick(10)
        now--
      })
      return most
    }
    expect(await peak(2)).toBe(2)
    expect(await peak(Infinity)).toBe(5)
  })

  it('first Ctrl-C: the hosts in flight finish, no further host is started (exit 130)', async () => {
    const ctrlC = new AbortController()
    const visited: string[] = []
    const { d } = deps({ a: fakeHost('a'), b: fakeHost('b'), c: fakeHost('c') }, { signal: ctrlC.signal })
    const r = await forEachHost(hosts('a', 'b', 'c'), d, { forks: 1 }, async (h, v) => {
      visited.push(h.name)
      ctrlC.abort()
      return read(h, v)
    })
    expect(visited).toEqual(['a'])
    expect(r.hosts.map((h) => h.status)).toEqual(['ok', 'interrupted', 'interrupted'])
    expect([r.exitCode, r.interrupted]).toEqual([130, true])
  })

  it('second Ctrl-C: stops waiting for a host in flight, even one that ignores the signal, and cancels its commands', async () => {
    const ctrlC = new AbortController()
    const again = new AbortController()
    const seen: ExecOptions[] = []
    const { d } = deps({ a: fakeHost('a', seen, 60_000), b: fakeHost('b') }, { signal: ctrlC.signal, hardSignal: again.signal })
    const run = forEachHost(hosts('a', 'b'), d, { forks: 2 }, async (h, v) => {
      if (h.name === 'b') return read(h, v)
      await v.remote.exec(['read']).catch(() => undefined)
      // a visit that never ends by itself
      return new Promise<string>(() => undefined)
    })
    await tick(20)
    ctrlC.abort()
    again.abort()
    const r = await run
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([['a', 'interrupted'], ['b', 'ok']])
    expect(seen[0]?.signal?.aborted).toBe(true)
    expect(r.exitCode).toBe(130)
  })

  it('a host out of time fails (exit 2), is reported, and its commands are cancelled; the others are not held', async () => {
    const seen: ExecOptions[] = []
    const { d, warnings } = deps({ slow: fakeHost('slow', seen, 60_000), fast: fakeHost('fast') })
    const started = Date.now()
    const r = await forEachHost(hosts('slow', 'fast'), d, { forks: 2, hostTimeoutMs: 50 }, read)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([['slow', 'failed'], ['fast', 'ok']])
    expect(r.exitCode).toBe(2)
    expect(warnings).toEqual(['slow slow: no answer within 50 ms; no longer waited for'])
    expect(seen[0]?.signal?.aborted).toBe(true)
  })
})
