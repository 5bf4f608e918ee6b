import { describe, expect, it } from 'vitest'
import { HostFailedError, LockHeldError } from '../../../src/errors.js'
import { parseState } from '../../../src/remote/parse-state.js'

const r = (code: number, stdout = '', stderr = '') => ({ code, stdout, stderr })

describe('parseState refusals', () => {
  it.each([
    [r(1, '', 'sudo: a password is required\n'), HostFailedError, 'h: sudo asks for a password', /NOPASSWD/],
    [r(20), HostFailedError, 'h: docker is not installed', /Install Docker Engine/],
    [r(21, 'compose\tdocker: unknown command: docker compose\n'), HostFailedError, 'h: docker compose does not work: docker: unknown command: docker compose', /compose v2 plugin/],
    [r(3, 'locked\t{"who":"bob"}\n'), LockHeldError, 'h: the deploy lock is held ({"who":"bob"})', /authctl lock release -l h/],
    [r(255, '', 'boom'), HostFailedError, 'h: reading the host state failed (exit 255): boom', undefined],
  ])('%#: %s', (result, type, message, hint) => {
    let caught: unknown
    try {
      parseState('h', result)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(type)
    expect((caught as Error).message).toBe(message)
    if (hint) expect((caught as HostFailedError).hint).toMatch(hint)
  })

  it('parses services from both ps shapes (JSON lines and one array)', () => {
    const lines = parseState('h', r(0, 'ps\t{"Service":"server","State":"running","Health":"healthy"}\n'))
    const array = parseState('h', r(0, 'ps\t[{"Service":"worker","State":"exited","Health":""}]\n'))
    expect(lines.services).toEqual([{ service: 'server', state: 'running', health: 'healthy' }])
    expect(array.services).toEqual([{ service: 'worker', state: 'exited', health: '' }])
  })

  it('the pending-restart marker the host wrote comes back sanitized and bounded; "agent" and "up" unchanged', () => {
    expect(parseState('h', r(0, 'pending\tagent\n')).pendingRestart).toBe('agent')
    expect(parseState('h', r(0, 'pending\tup\n')).pendingRestart).toBe('up')
    expect(parseState('h', r(0, 'pending\t\x1b]52;c;cm0g\x07up\r\u202ex\n')).pendingRestart).toBe('\\x1b]52;c;cm0g\\x07up\\r\\u202ex')
    const long = parseState('h', r(0, `pending\t${'\x1b'.repeat(64)}\n`)).pendingRestart ?? ''
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(128)
    expect(long).toMatch(/^(\\x1b)+…\(\d+ more bytes\)$/)
  })

  it('the accessor record and docker\'s service fields come back sanitized too', () => {
    const st = parseState('h', r(0, 'accessor\tacc-\x1b[2J1 abc\nps\t{"Service":"server","State":"run\\u001b]52;c;x\\u0007","Health":"\\u202ehealthy"}\n'))
    expect(st.secretIdAccessor).toBe('acc-\\x1b[2J1')
    expect(st.services).toEqual([{ service: 'server', state: 'run\\x1b]52;c;x\\x07', health: '\\u202ehealthy' }])
  })
})
