import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { confirmChange, requireConfirmation } from '../../../src/output/confirm.js'

const tty = <T extends object>(s: T): T & { isTTY: boolean } => Object.assign(s, { isTTY: true })

describe('confirmChange', () => {
  it('passes with --yes without asking', async () => {
    await expect(confirmChange({ plan: ['x'], yes: true, command: 'authctl x', stdin: new PassThrough(), stderr: new PassThrough() })).resolves.toBeUndefined()
  })

  it('refuses with exit 5 and names --yes when there is no terminal', async () => {
    const err = await confirmChange({ plan: ['x'], yes: false, command: 'authctl rotate-secret-key', stdin: new PassThrough(), stderr: new PassThrough() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).exitCode).toBe(5)
    expect((err as ConfigError).hint).toContain('authctl rotate-secret-key --yes')
  })

  it('refuses at once, before the plan is known, naming what needs it and the whole command to retype', () => {
    const refuse = () => requireConfirmation({ yes: false, command: 'authctl restart -l web --all-at-once', action: 'authctl restart --all-at-once', stdin: new PassThrough(), stderr: new PassThrough() })
    expect(refuse).toThrow(ConfigError)
    expect(refuse).toThrow('authctl restart --all-at-once changes production state and needs --yes when there is no terminal to ask on')
    const caught = (() => {
      try {
        return refuse()
      } catch (e) {
        return e
      }
    })()
    expect((caught as ConfigError).hint).toBe('Nothing was changed. Review the plan (--check where the command has it), then run: authctl restart -l web --all-at-once --yes (there is no environment variable for --yes).')
    expect(typeof requireConfirmation({ yes: true, command: 'authctl x', stdin: new PassThrough(), stderr: new PassThrough() })).toBe('function')
  })

  it('asks on a terminal and goes ahead on y, refuses otherwise', async () => {
    for (const [answer, ok] of [['y\n', true], ['yes\n', true], ['n\n', false], ['\n', false]] as const) {
      const stdin = tty(new PassThrough())
      const stderr = tty(new PassThrough())
      let shown = ''
      stderr.on('data', (c: Buffer) => (shown += c.toString()))
      const p = confirmChange({ plan: ['restart 3 hosts'], yes: false, command: 'authctl x', stdin, stderr })
      stdin.write(answer)
      if (ok) await expect(p).resolves.toBeUndefined()
      else await expect(p).rejects.toThrow('not confirmed')
      expect(shown).toContain('restart 3 hosts')
    }
  })
})
