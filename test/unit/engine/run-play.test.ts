// The run engine through fake hosts: rollout order and batches, stop-on-failure, --max-fail over the
// whole run, abort before any change, interrupts, and that a lock this run may hold is always released.
import { describe, expect, it } from 'vitest'
import { runPlay, type EngineOptions } from '../../../src/engine/run-play.js'
import type { EngineDeps } from '../../../src/engine/play.js'
import type { Play, PlayHost } from '../../../src/engine/play.js'
import { HostFailedError, InterruptedError, LockHeldError, UnreachableError } from '../../../src/errors.js'
import { newOutcome, type HostOutcome } from '../../../src/engine/host-result.js'
import { silentReporter } from '../../../src/engine/reporter.js'
import type { ExecOptions } from '../../../src/remote/exec-result.js'
import type { RemoteHost } from '../../../src/remote/remote-host.js'

type Behaviour = Partial<Record<'read' | 'apply' | 'release', (opts: ExecOptions) => Promise<{ stdout: string; stderr: string; code: number }>>>

const ok = async () => ({ stdout: 'ok', stderr: '', code: 0 })
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms))

// A fake host: logs each command as "<host> <verb>"; the release is recognised by its script name.
function fakeRemote(name: string, log: string[], behaviour: Behaviour = {}): RemoteHost {
  return {
    name,
    exec: async (argv, opts = {}) => {
      const verb = argv[6] === 'authctl-release' ? 'release' : (argv[0] as 'read' | 'apply')
      log.push(`${name} ${verb}`)
      const r = await (behaviour[verb] ?? ok)(opts)
      if (verb === 'apply') log.push(`${name} applied`)
      return r
    },
  }
}

// A play whose read parses "ok" (anything else is a host failure) and whose apply fails on "ok"-less output.
function fakePlay(overrides: Partial<Play<PlayHost, string, string, HostOutcome>> = {}): Play<PlayHost, string, string, HostOutcome> {
  return {
    newResult: (h) => newOutcome(h.name),
    read: async (h) => {
      const r = await h.remote.exec(['read'])
      if (r.stdout !== 'ok') throw new HostFailedError(`${h.host.name}: unparseable state`)
      return r.stdout
    },
    prepare: async () => 'prepared',
    changes: () => true,
    rolling: () => true,
    apply: async (h, ctx) => {
      const r = await h.remote.exec(['apply'])
      if (r.code !== 0) throw new HostFailedError(`${h.host.name}: apply failed`)
      h.result.status = 'changed'
      ctx.audit({ did: 'apply' })
    },
    ...overrides,
  }
}

const hosts = (n: number): PlayHost[] => Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, root: '/data/authentik' }))
const opts: EngineOptions = { forks: 10, serial: { count: 1 }, maxFail: { count: 0 }, lock: 'read', lockWaitMs: 0, dryRun: false, unreachableCounts: true, commandLine: 'authctl test' }

function deps(log: string[], behaviours: Record<string, Behaviour> = {}, extra: Partial<EngineDeps> = {}): EngineDeps & { audited: string[] } {
  const audited: string[] = []
  return {
    connect: async (names) => new Map(names.map((n) => [n, behaviours[n] === undefined || !('unreachable' in behaviours[n]) ? fakeRemote(n, log, behaviours[n]) : new UnreachableError(`${n}: unreachable`)])),
    reporter: silentReporter, auditLocal: async (lines) => void audited.push(...lines), lockDetails: '{"pid":1}', who: 'tester', now: () => new Date(0),
    signal: new AbortController().signal, hardSignal: new AbortController().signal, audited, ...extra,
  }
}

const failing = async () => ({ stdout: '', stderr: 'boom', code: 1 })

describe('runPlay', () => {
  it('rolls one host at a time in inventory order, audits each, and releases every lock', async () => {
    const log: string[] = []
    const d = deps(log)
    const r = await runPlay(fakePlay(), hosts(3), d, opts)
    expect(r.exitCode).toBe(0)
    expect(r.hosts.map((h) => h.status)).toEqual(['changed', 'changed', 'changed'])
    const applies = log.filter((l) => / appl(y|ied)$/.test(l))
    expect(applies).toEqual(['h1 apply', 'h1 applied', 'h2 apply', 'h2 applied', 'h3 apply', 'h3 applied'])
    expect(log.filter((l) => l.endsWith('release')).sort()).toEqual(['h1 release', 'h2 release', 'h3 release'])
    expect(d.audited.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([1, 2, 3].map((i) => ({ time: new Date(0).toISOString(), who: 'tester', host: `h${i}`, command: 'authctl test', did: 'apply' })))
  })

  it('--serial 2 and 50% make batches that never overlap the next', async () => {
    for (const serial of [{ count: 2 }, { percent: 50 }]) {
      const log: string[] = []
      const slow = { apply: async () => (await tick(20), { stdout: 'ok', stderr: '', code: 0 }) }
      await runPlay(fakePlay(), hosts(4), deps(log, { h1: slow, h2: slow, h3: slow, h4: slow }), { ...opts, serial })
      const applies = log.filter((l) => / appl(y|ied)$/.test(l))
      expect(applies.slice(0, 2).sort()).toEqual(['h1 apply', 'h2 apply'])
      expect(applies.slice(2, 4).sort()).toEqual(['h1 applied', 'h2 applied'])
      expect(applies.slice(4, 6).sort()).toEqual(['h3 apply', 'h4 apply'])
    }
  })

  it('a failed host stops the rollout: later hosts are not touched', async () => {
    const log: string[] = []
    const r = await runPlay(fakePlay(), hosts(3), deps(log, { h2: { apply: failing } }), opts)
    expect(r.exitCode).toBe(2)
    expect(r.hosts.map((h) => h.status)).toEqual(['changed', 'failed', 'skipped'])
    expect(r.hosts[2]?.error?.message).toBe('not changed: rollout stopped because h2 failed')
    expect(log).not.toContain('h3 apply')
  })

  it('--max-fail 1 lets exactly one failure pass, counted over the whole run', async () => {
    const log: string[] = []
    const r = await runPlay(fakePlay(), hosts(4), deps(log, { h1: { apply: failing }, h3: { apply: failing } }), { ...opts, maxFail: { count: 1 } })
    expect(r.hosts.map((h) => h.status)).toEqual(['failed', 'changed', 'failed', 'skipped'])
    expect(log).not.toContain('h4 apply')
  })

  it('an unreachable host counts toward --max-fail when the play says so', async () => {
    const log: string[] = []
    const counted = await runPlay(fakePlay(), hosts(3), deps(log, { h1: { unreachable: ok } as Behaviour }), opts)
    expect(counted.hosts.map((h) => h.status)).toEqual(['unreachable', 'skipped', 'skipped'])
    expect(counted.exitCode).toBe(4)
    expect(log.filter((l) => l.endsWith('apply'))).toEqual([])
    const log2: string[] = []
    const passed = await runPlay(fakePlay(), hosts(3), deps(log2, { h1: { unreachable: ok } as Behaviour }), { ...opts, maxFail: { count: 1 } })
    expect(passed.hosts.map((h) => h.status)).toEqual(['unreachable', 'changed', 'changed'])
    const setupLike = await runPlay(fakePlay(), hosts(2), deps([], { h1: { unreachable: ok } as Behaviour }), { ...opts, unreachableCounts: false })
    expect(setupLike.hosts.map((h) => h.status)).toEqual(['unreachable', 'changed'])
  })

  it('a preflight failure on one host aborts before any change anywhere', async () => {
    const log: string[] = []
    const play = fakePlay({ prepare: async (h) => { if (h.host.name === 'h2') throw new HostFailedError('h2: cannot prepare'); return 'p' } })
    const r = await runPlay(play, hosts(3), deps(log), opts)
    expect(r.hosts.map((h) => h.status)).toEqual(['skipped', 'failed', 'skipped'])
    expect(r.hosts[0]?.error?.message).toBe('not changed: preflight failed on another host')
    expect(log.filter((l) => l.endsWith('apply'))).toEqual([])
    expect(log.filter((l) => l.endsWith('release')).length).toBe(3)
  })

  it('releases a lock the read may have taken when its output does not parse (the fault that leaked locks)', async () => {
    const log: string[] = []
    const garbage = async () => ({ stdout: '\u001b]52;c;garbage', stderr: '', code: 0 })
    const r = await runPlay(fakePlay(), hosts(2), deps(log, { h1: { read: garbage } }), opts)
    expect(r.hosts[0]?.status).toBe('failed')
    expect(log).toContain('h1 release')
    expect(log).toContain('h2 release')
  })

  it('releases over a new connection when the connection dropped right after the lock was taken', async () => {
    const log: string[] = []
    let connects = 0
    const dropped = async () => { throw new UnreachableError('h1: SSH connection was closed') }
    const d = deps(log)
    const base = d.connect
    d.connect = async (names) => {
      connects++
      // the first connection drops during the read and cannot release; the second one works
      if (connects === 1) return new Map([...(await base(names))].map(([n, h]) => [n, n === 'h1' ? fakeRemote(n, log, { read: dropped, release: dropped }) : h]))
      return base(names)
    }
    const r = await runPlay(fakePlay(), hosts(2), d, opts)
    expect(r.hosts[0]?.status).toBe('unreachable')
    expect(connects).toBe(2)
    expect(log.filter((l) => l === 'h1 release')).toEqual(['h1 release', 'h1 release'])
    expect(r.hosts[0]?.warnings).toEqual([])
  })

  it('a release that fails twice is a warning on the host, in the results, naming the fix', async () => {
    const d = deps([], { h1: { release: failing } })
    const r = await runPlay(fakePlay(), hosts(1), d, opts)
    expect(r.hosts[0]?.warnings[0]).toMatch(/the deploy lock may still be held: boom\. .*authctl lock release -l h1 --yes/)
  })

  it('a held lock stops the run (exit 3) unless --lock-wait outlasts it', async () => {
    let held = 2
    const play = fakePlay({ read: async (h) => { await h.remote.exec(['read']); if (h.host.name === 'h1' && held-- > 0) throw new LockHeldError('h1: the deploy lock is held'); return 'ok' } })
    const refused = await runPlay(play, hosts(2), deps([]), opts)
    expect(refused.exitCode).toBe(3)
    held = 1
    const waited = await runPlay(play, hosts(2), deps([]), { ...opts, lockWaitMs: 5000 })
    expect(waited.exitCode).toBe(0)
  })

  it('Ctrl-C during a host lets it finish, touches no other, releases every lock, exits 130', async () => {
    const log: string[] = []
    const ctrl = new AbortController()
    const interrupting = { apply: async () => { ctrl.abort(); await tick(10); return { stdout: 'ok', stderr: '', code: 0 } } }
    const r = await runPlay(fakePlay(), hosts(3), deps(log, { h1: interrupting }, { signal: ctrl.signal }), opts)
    expect(r.exitCode).toBe(130)
    expect(r.interrupted).toBe(true)
    expect(r.hosts.map((h) => h.status)).toEqual(['changed', 'failed', 'failed'])
    expect(r.hosts[1]?.error).toMatchObject({ message: 'not changed: interrupted before this host', exitCode: 130 })
    expect(log).toContain('h1 applied')
    expect(log.filter((l) => l.endsWith('release')).length).toBe(3)
  })

  it('a second Ctrl-C cancels the host in progress but never the release', async () => {
    const log: string[] = []
    const soft = new AbortController()
    const hard = new AbortController()
    const hang = {
      // the command hangs; the operator presses Ctrl-C twice while it runs
      apply: (o: ExecOptions) => new Promise<never>((_, reject) => {
        o.signal?.addEventListener('abort', () => reject(new InterruptedError('h1: cancelled')))
        setTimeout(() => { soft.abort(); hard.abort() }, 5)
      }),
    }
    const r = await runPlay(fakePlay(), hosts(2), deps(log, { h1: hang }, { signal: soft.signal, hardSignal: hard.signal }), opts)
    expect(r.exitCode).toBe(130)
    expect(r.hosts[0]?.error?.message).toBe('h1: cancelled')
    expect(log.filter((l) => l.endsWith('release')).sort()).toEqual(['h1 release', 'h2 release'])
  })

  it('with the lock taken by the write (apply mode), a host with nothing to change is never locked nor released', async () => {
    const log: string[] = []
    const seen: (string | undefined)[] = []
    const play = fakePlay({
      read: async (h, lock) => { seen.push(lock && `${lock.take}`); await h.remote.exec(['read']); return 'ok' },
      changes: (h) => h.host.name === 'h2',
      apply: async (h, ctx) => { seen.push(ctx.lock?.details); await h.remote.exec(['apply']); h.result.status = 'changed' },
    })
    const r = await runPlay(play, hosts(2), deps(log), { ...opts, lock: 'apply' })
    expect(r.exitCode).toBe(0)
    // the read only refuses a held lock (take=false); the write of h2 takes it
    expect(seen).toEqual(['false', 'false', '{"pid":1}'])
    expect(log.filter((l) => l.startsWith('h1'))).toEqual(['h1 read'])
    expect(log.filter((l) => l.startsWith('h2'))).toEqual(['h2 read', 'h2 apply', 'h2 applied', 'h2 release'])
  })

  it('--check (dry run) prepares but applies nothing; a run without lock never releases', async () => {
    const log: string[] = []
    const r = await runPlay(fakePlay(), hosts(2), deps(log), { ...opts, dryRun: true, lock: 'none' })
    expect(r.exitCode).toBe(0)
    expect(log).toEqual(['h1 read', 'h2 read'])
  })
  it('reports where the time went: each phase per host and the run\'s spans (--json timings)', async () => {
    const log: string[] = []
    const slow = (ms: number) => async () => { await tick(ms); return { stdout: 'ok', stderr: '', code: 0 } }
    const d = deps(log, { h1: { read: slow(40), apply: slow(60) }, h2: { read: slow(40), apply: slow(60) } })
    const r = await runPlay(fakePlay({ prepare: async () => { await tick(30); return 'prepared' } }), hosts(2), d, { ...opts, serial: { count: 2 } })
    for (const h of r.hosts) {
      expect(Object.keys(h.timings).sort()).toEqual(['apply', 'prepare', 'read', 'release'])
      expect(h.timings.read).toBeGreaterThanOrEqual(35)
      expect(h.timings.prepare).toBeGreaterThanOrEqual(25)
      expect(h.timings.apply).toBeGreaterThanOrEqual(55)
    }
    expect(Object.keys(r.timings).sort()).toEqual(['apply', 'connect', 'prepare', 'read', 'release', 'total'])
    // hosts run in parallel: a span is the slowest host's time, not the sum (each value is rounded on its own)
    const [a, b] = r.hosts.map((h) => h.timings.apply ?? 0) as [number, number]
    expect(r.timings.apply).toBeLessThan(a + b)
    expect(r.timings.total).toBeGreaterThanOrEqual((r.timings.read ?? 0) + (r.timings.prepare ?? 0) + (r.timings.apply ?? 0) - 3)
  })
  it('a read-only run (dry run, no lock) prints no progress line a host; a locking run says the lock is held', async () => {
    const events: string[] = []
    const reporter = { event: (h: string, m: string) => void events.push(`${h} ${m}`), warn: (h: string, m: string) => void events.push(`${h} warning ${m}`) }
    await runPlay(fakePlay(), hosts(2), deps([], {}, { reporter }), { ...opts, dryRun: true, lock: 'none' })
    expect(events).toEqual([])
    await runPlay(fakePlay(), hosts(1), deps([], {}, { reporter }), opts)
    expect(events).toEqual(['h1 locked, state read'])
  })

  describe('a central change (a rotation\'s Vault and database steps)', () => {
    // the central step logs itself between the hosts' commands, so the order is visible in one list
    const central = (log: string[], verdict?: string) => async (ready: readonly { host: PlayHost }[], owed: readonly HostOutcome[]) => {
      log.push(`central ready=${ready.map((h) => h.host.name).join(',')} owed=${owed.map((r) => r.host).join(',')}`)
      return verdict
    }

    it('runs once, after every host is locked and read and before any host is applied', async () => {
      const log: string[] = []
      const r = await runPlay(fakePlay({ central: central(log) }), hosts(3), deps(log), opts)
      expect(r.exitCode).toBe(0)
      const at = log.indexOf('central ready=h1,h2,h3 owed=')
      expect(at).toBeGreaterThan(-1)
      expect(log.slice(0, at).sort()).toEqual(['h1 read', 'h2 read', 'h3 read'])
      expect(log.slice(at + 1).filter((l) => !l.endsWith('release'))).toEqual(['h1 apply', 'h1 applied', 'h2 apply', 'h2 applied', 'h3 apply', 'h3 applied'])
      expect(Object.keys(r.timings)).toContain('central')
    })

    it('never runs when more hosts fail to lock or read than --max-fail allows: nothing changes, every lock is released', async () => {
      const log: string[] = []
      const r = await runPlay(fakePlay({ central: central(log) }), hosts(3), deps(log, { h2: { read: async () => ({ stdout: 'locked\t{}', stderr: '', code: 3 }) }, h3: { unreachable: ok } as Behaviour }), opts)
      expect(log.some((l) => l.startsWith('central'))).toBe(false)
      expect(log.filter((l) => l.endsWith('apply'))).toEqual([])
      expect(r.hosts.map((h) => h.status)).toEqual(['skipped', 'failed', 'unreachable'])
      expect(log.filter((l) => l.endsWith('release')).sort()).toEqual(['h1 release', 'h2 release'])
    })

    it('with --max-fail 1 goes ahead without the unreachable host, and tells the central step which host it owes', async () => {
      const log: string[] = []
      const r = await runPlay(fakePlay({ central: central(log) }), hosts(3), deps(log, { h2: { unreachable: ok } as Behaviour }), { ...opts, maxFail: { count: 1 } })
      expect(log).toContain('central ready=h1,h3 owed=h2')
      expect(r.hosts.map((h) => h.status)).toEqual(['changed', 'unreachable', 'changed'])
    })

    it('a Ctrl-C while the hosts are read starts no central change (exit 130)', async () => {
      const log: string[] = []
      const ctl = new AbortController()
      const r = await runPlay(fakePlay({ central: central(log), read: async (h) => (ctl.abort(), h.remote.exec(['read']).then((x) => x.stdout)) }), hosts(2), deps(log, {}, { signal: ctl.signal }), opts)
      expect(log.some((l) => l.startsWith('central'))).toBe(false)
      expect(r.exitCode).toBe(130)
      expect(log.filter((l) => l.endsWith('release')).sort()).toEqual(['h1 release', 'h2 release'])
    })

    it('a refusal or a throw from the central step applies no host and releases every lock', async () => {
      const log: string[] = []
      const stopped = await runPlay(fakePlay({ central: central(log, 'Vault refused the write') }), hosts(2), deps(log), opts)
      expect(stopped.hosts.map((h) => [h.status, h.error?.message])).toEqual([['skipped', 'not changed: Vault refused the write'], ['skipped', 'not changed: Vault refused the write']])
      const thrown: string[] = []
      await expect(runPlay(fakePlay({ central: async () => { throw new Error('503') } }), hosts(2), deps(thrown), opts)).rejects.toThrow('503')
      for (const l of [log, thrown]) {
        expect(l.filter((x) => x.endsWith('apply'))).toEqual([])
        expect(l.filter((x) => x.endsWith('release')).sort()).toEqual(['h1 release', 'h2 release'])
      }
    })
  })
})
