import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { runLocal } from '../../../src/local-process/run-local.js'

describe('runLocal', () => {
  it('passes input on stdin and returns untrimmed output and the exit code', async () => {
    const result = await runLocal('sh', ['-c', 'cat; printf " err\\n" >&2; exit 3'], { input: 'secret-in\n' })
    expect(result).toEqual({ stdout: 'secret-in\n', stderr: ' err\n', exitCode: 3, timedOut: false })
  })

  it('uses cwd and env', async () => {
    const result = await runLocal('sh', ['-c', 'pwd; printf %s "$AUTHCTL_T"'], { cwd: '/tmp', env: { AUTHCTL_T: 'v a' } })
    expect(result.stdout).toBe('/tmp\nv a')
    expect(result.exitCode).toBe(0)
  })

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now()
    const result = await runLocal('sleep', ['5'], { timeoutMs: 200 })
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).toBeNull()
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('reports a missing program as a ConfigError naming it', async () => {
    const error = await runLocal('authctl-no-such-program', []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain('authctl-no-such-program')
  })
})
