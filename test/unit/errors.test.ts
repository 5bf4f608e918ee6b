import { describe, expect, it } from 'vitest'
import { ConfigError, EXIT_CODES, HostFailedError, UnreachableError, VaultError, exitCodeOf, worstExitCode } from '../../src/errors.js'

describe('exit codes', () => {
  it.each([
    [new ConfigError('x'), 5],
    [new VaultError('x'), 6],
    [new HostFailedError('x'), 2],
    [new UnreachableError('x'), 4],
    [new Error('x'), 1],
    [Object.assign(new Error('bad flag'), { oclif: { exit: 2 } }), 5],
  ])('%s exits %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code)
  })

  it('unreachable wins over failed, as in Ansible', () => {
    expect(worstExitCode([0, 2, 4, 2])).toBe(EXIT_CODES.unreachable)
    expect(worstExitCode([0, 2])).toBe(EXIT_CODES.hostFailed)
    expect(worstExitCode([0, 0])).toBe(EXIT_CODES.ok)
  })

  it('keeps the hint and the cause', () => {
    const cause = new Error('root')
    const error = new ConfigError('bad', { hint: 'do this', cause })
    expect(error.hint).toBe('do this')
    expect(error.cause).toBe(cause)
    expect(error.name).toBe('ConfigError')
  })
})
