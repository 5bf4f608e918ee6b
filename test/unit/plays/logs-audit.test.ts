// The logs play with fake hosts (a follow ends cleanly on the signal, a dropped host is reported and
// the others go on), the host-prefixed printer, and the audit history merge.
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { InterruptedError, UnreachableError } from '../../../src/errors.js'
import { hostLinePrinter } from '../../../src/plays/logs/host-lines.js'
import { formatAuditTable } from '../../../src/plays/audit/audit-table.js'
import type { Reporter } from '../../../src/engine/reporter.js'
import type { ExecOptions } from '../../../src/remote/exec-result.js'
import type { RemoteHost } from '../../../src/remote/remote-host.js'
import { runLogs } from '../../../src/plays/logs/play.js'
import { mergeAudit } from '../../../src/plays/audit/audit-merge.js'
import { waitUntil } from '../../support/wait-for.js'

// A host that sends its lines, then follows until aborted (or drops, or ends).
function follower(name: string, lines: string[], end: 'abort' | 'drop' | 'exit', seen: ExecOptions[]): RemoteHost {
  return {
    name,
    exec: (_argv, opts = {}) => new Promise((resolve, reject) => {
      seen.push(opts)
      for (const l of lines) opts.onLine?.('stdout', l)
      if (end === 'exit') return resolve({ stdout: '', stderr: '', code: 0 })
      if (end === 'drop') return setTimeout(() => reject(new UnreachableError(`${name}: SSH connection to x was closed`)), 5)
      opts.signal?.addEventListener('abort', () => reject(new InterruptedError(`${name}: cancelled`)))
    }),
  }
}

function recorder() {
  const lines: string[] = []
  const warnings: string[] = []
  const reporter: Reporter = { event: (h, m) => warnings.push(`${h} event ${m}`), warn: (h, m) => warnings.push(`${h} ${m}`) }
  return { lines, warnings, reporter, line: (host: string, stream: string, text: string) => lines.push(`${host} ${stream} ${text}`) }
}

const hosts = ['a', 'b', 'c'].map((name) => ({ name, root: '/data/authentik', project: 'authentik' }))

describe('logs play', () => {
  it('-f follows every host at once, a dropped host is reported while the others go on, Ctrl-C ends it with the drop\'s exit code', async () => {
    const seen: ExecOptions[] = []
    const rec = recorder()
    const ctrlC = new AbortController()
    const remotes = new Map<string, RemoteHost | Error>([['a', follower('a', ['a1', 'a2'], 'abort', seen)], ['b', follower('b', ['b1'], 'drop', seen)], ['c', follower('c', ['c1'], 'abort', seen)]])
    const run = runLogs(hosts, { connect: async () => remotes, line: rec.line, reporter: rec.reporter, signal: ctrlC.signal }, { services: [], follow: true, forks: 1 })
    // until the three followers started and b's drop was reported (a fixed pause raced them under load)
    await waitUntil(() => seen.length >= 3 && rec.warnings.length >= 1, 5_000, 5)
    // forks 1 does not serialise followers: all three started
    expect(seen).toHaveLength(3)
    expect(seen.every((o) => o.holdStdin === true && o.signal === ctrlC.signal && (o.timeoutMs ?? 0) > 86_400_000)).toBe(true)
    expect(rec.warnings).toEqual(['b b: SSH connection to x was closed; the other hosts are still followed'])
    ctrlC.abort()
    const r = await run
    expect(rec.lines).toEqual(['a stdout a1', 'a stdout a2', 'b stdout b1', 'c stdout c1'])
    expect(r.hosts.map((h) => [h.host, h.status, h.lines])).toEqual([['a', 'ok', 2], ['b', 'unreachable', 1], ['c', 'ok', 1]])
    expect([r.exitCode, r.interrupted]).toEqual([4, true])
  })

  it('Ctrl-C ending a follow of healthy hosts exits 0; interrupting a plain fetch exits 130', async () => {
    const ctrlC = new AbortController()
    const rec = recorder()
    const conn = async () => new Map<string, RemoteHost | Error>(hosts.map((h) => [h.name, follower(h.name, [], 'abort', [])]))
    const follow = runLogs(hosts, { connect: conn, line: rec.line, reporter: rec.reporter, signal: ctrlC.signal }, { services: [], follow: true, forks: 3 })
    setTimeout(() => ctrlC.abort(), 10)
    expect((await follow).exitCode).toBe(0)
    const again = new AbortController()
    const fetch = runLogs(hosts, { connect: conn, line: rec.line, reporter: rec.reporter, signal: again.signal }, { services: [], follow: false, forks: 3 })
    setTimeout(() => again.abort(), 10)
    expect((await fetch).exitCode).toBe(130)
  })

  it('an unreachable host is reported, a failing docker exits 2, a follower that ends by itself is said', async () => {
    const rec = recorder()
    const failing: RemoteHost = { name: 'b', exec: async (_a, o) => (o?.onLine?.('stderr', 'no such service: x'), { stdout: '', stderr: '', code: 1 }) }
    const remotes = new Map<string, RemoteHost | Error>([['a', new UnreachableError('a: cannot connect')], ['b', failing], ['c', follower('c', ['c1'], 'exit', [])]])
    const r = await runLogs(hosts, { connect: async () => remotes, line: rec.line, reporter: rec.reporter, signal: new AbortController().signal }, { services: ['server'], follow: true, forks: 3 })
    expect(r.hosts.map((h) => h.status)).toEqual(['unreachable', 'failed', 'ok'])
    expect(r.exitCode).toBe(4)
    expect(rec.lines).toEqual(['b stderr no such service: x', 'c stdout c1'])
    expect(rec.warnings).toEqual(['a a: cannot connect', 'b b: docker compose logs failed (exit 1)', 'c event the follow ended on the host (its containers stopped?)'])
  })
})

describe('logs play: what hosts send is sanitized before it is handed on', () => {
  it('lines, a dropped host\'s error and a connect error carry escapes and control bytes only as visible text', async () => {
    const rec = recorder()
    const evil = 'x\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\r\x00\u202ey\x1b[31mred'
    const dropping: RemoteHost = { name: 'b', exec: async (_a, o) => (o?.onLine?.('stdout', evil), Promise.reject(new UnreachableError(`b: closed: ${evil}`))) }
    const remotes = new Map<string, RemoteHost | Error>([['a', new UnreachableError(`a: refused: ${evil}`, { hint: `ask ${evil}` })], ['b', dropping], ['c', follower('c', [evil], 'exit', [])]])
    const r = await runLogs(hosts, { connect: async () => remotes, line: rec.line, reporter: rec.reporter, signal: new AbortController().signal }, { services: [], follow: false, forks: 3 })
    const shown = 'x\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2J\\r\\x00\\u202eyred'
    expect(rec.lines).toEqual([`b stdout ${shown}`, `c stdout ${shown}`])
    expect(rec.warnings).toEqual([`a a: refused: ${shown}`, `b b: closed: ${shown}`])
    expect(r.hosts.map((h) => h.error)).toEqual([`a: refused: ${shown}`, `b: closed: ${shown}`, undefined])
  })
})

describe('host line printer', () => {
  it('aligns the host prefix, keeps stderr apart, strips what a host could use to rewrite the terminal', () => {
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const print = hostLinePrinter(['host1', 'h2'], { stdout, stderr }, false)
    print('host1', 'stdout', 'plain line')
    print('h2', 'stdout', 'evil \x1b]0;title\x07\x1b[2Jline\r\x00')
    print('h2', 'stderr', 'oops\ttab')
    // escape sequences and control characters arrive as visible text (src/util/sanitize.ts), never raw
    expect(stdout.read()?.toString()).toBe('host1 | plain line\nh2    | evil \\x1b]0;title\\x07\\x1b[2Jline\\r\\x00\n')
    expect(stderr.read()?.toString()).toBe('h2    | oops\\ttab\n')
  })

  it('colours each host on a terminal', () => {
    const stdout = new PassThrough()
    hostLinePrinter(['a', 'b'], { stdout, stderr: new PassThrough() }, true)('b', 'stdout', 'x')
    expect(stdout.read()?.toString()).toBe('\x1b[33mb |\x1b[0m x\n')
  })
})

describe('audit merge', () => {
  const line = (time: string, extra = '') => `{"time":"${time}","who":"ops@bastion","host":"old-name","command":"authctl setup"${extra}}`
  const h1 = { host: 'h1', lines: [{ number: 1, text: line('2026-03-01T10:00:00Z', ',"restart":"agent"') }, { number: 2, text: 'garbage {' }, { number: 3, text: line('2026-03-01T12:00:00Z') }] }
  const h2 = { host: 'h2', lines: [{ number: 7, text: line('2026-03-01T11:00:00Z', ',"files":["a","b"]') }, { number: 8, text: '["not","an","object"]' }, { number: 9, text: '{"who":"x"}' }, { number: 10, text: line('2026-03-01T12:00:00Z') }] }

  it('merges by time (ties in host order), names the reading host, and reports malformed lines', () => {
    const h = mergeAudit([h1, h2])
    expect(h.entries.map((e) => `${e.time} ${e.host}:${e.line}`)).toEqual(['2026-03-01T10:00:00Z h1:1', '2026-03-01T11:00:00Z h2:7', '2026-03-01T12:00:00Z h1:3', '2026-03-01T12:00:00Z h2:10'])
    expect(h.entries[0]).toEqual({ host: 'h1', line: 1, time: '2026-03-01T10:00:00Z', who: 'ops@bastion', command: 'authctl setup', fields: { restart: 'agent' } })
    expect(h.malformed).toEqual([
      { host: 'h1', line: 2, reason: 'not JSON', excerpt: 'garbage {' },
      { host: 'h2', line: 8, reason: 'not a JSON object', excerpt: '["not","an","object"]' },
      { host: 'h2', line: 9, reason: 'no valid "time"', excerpt: '{"who":"x"}' },
    ])
  })

  it('--since and --tail apply to the merged history', () => {
    expect(mergeAudit([h1, h2], { since: new Date('2026-03-01T11:00:00Z') }).entries.map((e) => e.line)).toEqual([7, 3, 10])
    expect(mergeAudit([h1, h2], { tail: 2 }).entries.map((e) => e.line)).toEqual([3, 10])
    expect(mergeAudit([h1, h2], { tail: 0 }).entries).toEqual([])
  })

  it('prints one line per change and the skipped lines', () => {
    const text = formatAuditTable(mergeAudit([h1, h2], { tail: 2 }))
    expect(text).toBe([
      '2026-03-01T12:00:00Z  h1  ops@bastion  (authctl setup)',
      '2026-03-01T12:00:00Z  h2  ops@bastion  (authctl setup)',
      'skipped h1 line 2: not JSON: garbage {',
      'skipped h2 line 8: not a JSON object: ["not","an","object"]',
      'skipped h2 line 9: no valid "time": {"who":"x"}',
    ].join('\n') + '\n')
    expect(formatAuditTable(mergeAudit([h2], { tail: 3 }))).toContain('h2  ops@bastion  files=a,b  (authctl setup)')
  })
})
