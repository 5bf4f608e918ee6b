// `lock status|release` and `ssh-check` print what hosts send (lock details, stderr, a server's disconnect
// reason): a compromised host must not reach the operator's terminal through them, nor through --json.
import { asDeployRoot } from '../../../src/inventory/host-path.js'
import { describe, expect, it } from 'vitest'
import { UnreachableError } from '../../../src/errors.js'
import { formatLockResults, runLock } from '../../../src/plays/lock/play.js'
import { formatSshCheck, runSshCheck } from '../../../src/plays/ssh-check/play.js'
import type { ExecResult } from '../../../src/remote/exec-result.js'
import type { RemoteHost } from '../../../src/remote/remote-host.js'

const OSC52 = '\x1b]52;c;cm0gLXJmIH4K\x07'
const SHOWN = '\\x1b]52;c;cm0gLXJmIH4K\\x07'
// Any C0/C1 control other than a newline, or a bidi override, reaching the output is a failure.
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

function answering(result: ExecResult): (names: readonly string[]) => Promise<Map<string, RemoteHost | Error>> {
  return async (names) => new Map(names.map((name) => [name, { name, exec: async () => result }]))
}

const hosts = [{ name: 'h1', root: asDeployRoot('/data/authentik') }]

describe('lock status and release show hostile lock details inertly', () => {
  it('JSON details: every string is escaped in the result (--json) and in the printed line', async () => {
    const planted = JSON.stringify({ who: `mallory${OSC52}`, pid: 7, since: '2026\r\x1b[2Kfree', command: 'authctl \u202esetup', extra: { nested: '\x1b[H\x1b[2J' } })
    const result = await runLock(hosts, answering({ stdout: `held\t${planted}\n`, stderr: '', code: 0 }), { release: false, forks: 1 })
    expect(result.hosts[0]).toEqual({
      host: 'h1', status: 'held',
      details: { who: `mallory${SHOWN}`, pid: 7, since: '2026\\r\\x1b[2Kfree', command: 'authctl \\u202esetup', extra: { nested: '\\x1b[H\\x1b[2J' } },
    })
    expect(JSON.stringify(result)).not.toMatch(RAW_CONTROL)
    expect(formatLockResults(result.hosts)).toBe(`h1  held by mallory${SHOWN} (pid 7, since 2026\\r\\x1b[2Kfree, authctl \\u202esetup)\n`)
  })

  it('details that are not a JSON object are shown as escaped text, bounded', async () => {
    const result = await runLock(hosts, answering({ stdout: `held\t${OSC52}${'A'.repeat(9000)}\n`, stderr: '', code: 0 }), { release: false, forks: 1 })
    const line = formatLockResults(result.hosts)
    expect(line.startsWith(`h1  held ${SHOWN}AAA`)).toBe(true)
    expect(line).toMatch(/…\(\d+ more bytes\)\n$/)
    expect(line).not.toMatch(RAW_CONTROL)
    expect(Buffer.byteLength(line)).toBeLessThan(1100)
  })

  it('a released lock and a failing host: details and stderr are escaped', async () => {
    const released = await runLock(hosts, answering({ stdout: `{"who":"a\\u001b[2Jb\\u001b[31m"}\nreleased\n`, stderr: '', code: 0 }), { release: true, forks: 1 })
    expect(released.hosts[0]?.details).toEqual({ who: 'a\\x1b[2Jb' })
    const failed = await runLock(hosts, answering({ stdout: '', stderr: `sudo: ${OSC52}\nsecond line\x07\n`, code: 1 }), { release: false, forks: 1 })
    expect(failed.hosts[0]).toEqual({ host: 'h1', status: 'failed', error: `h1: sudo: ${SHOWN}\nsecond line\\x07` })
    expect(formatLockResults(failed.hosts)).toBe(`h1  failed  h1: sudo: ${SHOWN}\nsecond line\\x07\n`)
  })

  it('an unreachable host whose error quotes the server is escaped too', async () => {
    const result = await runLock(hosts, async () => new Map([['h1', new UnreachableError(`h1: SSH connection failed: bye${OSC52}`)]]), { release: false, forks: 1 })
    expect(result.hosts[0]?.error).toBe(`h1: SSH connection failed: bye${SHOWN}`)
    expect(formatLockResults(result.hosts)).not.toMatch(RAW_CONTROL)
  })
})

describe('ssh-check shows a hostile connect error inertly', () => {
  it('message and hint are escaped in the result and the report', async () => {
    const target = { name: 'h1', user: 'u', host: '10.0.0.1', port: 22, jumps: [] }
    const error = new UnreachableError(`h1: SSH connection to 10.0.0.1:22 failed: ${OSC52}\x1b[2J`, { hint: `ask \u202eadmin` })
    const result = await runSshCheck([target], async () => new Map([['h1', error]]))
    expect(result.hosts[0]?.error).toEqual({ message: `h1: SSH connection to 10.0.0.1:22 failed: ${SHOWN}\\x1b[2J`, hint: 'ask \\u202eadmin' })
    expect(formatSshCheck(result.hosts)).toBe(`h1    UNREACHABLE  u@10.0.0.1:22\n      h1: SSH connection to 10.0.0.1:22 failed: ${SHOWN}\\x1b[2J\n      hint: ask \\u202eadmin\n`)
  })
})
