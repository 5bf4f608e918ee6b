// The key passphrase: from AUTHCTL_SSH_KEY_PASSPHRASE_FILE (one trailing newline dropped), or asked
// once on a TTY with echo off; never asked without a TTY or when not interactive (--json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { passphraseSource } from '../../../src/transport/passphrase.js'

const dir = mkdtempSync(join(tmpdir(), 'authctl-pass-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// A fake terminal: records raw-mode switches and what was written.
function tty(): { input: NodeJS.ReadStream; output: NodeJS.WriteStream; raw: boolean[]; written: () => string; type: (s: string) => void } {
  const input = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[] })
  const raw: boolean[] = []
  Object.assign(input, { setRawMode: (on: boolean) => raw.push(on) })
  const out = new PassThrough()
  let written = ''
  out.on('data', (d: Buffer) => (written += d.toString()))
  return { input: input as unknown as NodeJS.ReadStream, output: out as unknown as NodeJS.WriteStream, raw, written: () => written, type: (s) => void input.write(s) }
}

describe('passphraseSource', () => {
  it('reads the file named by AUTHCTL_SSH_KEY_PASSPHRASE_FILE, minus one trailing newline', async () => {
    writeFileSync(join(dir, 'p'), ' two words \n')
    expect(await passphraseSource({ env: { AUTHCTL_SSH_KEY_PASSPHRASE_FILE: join(dir, 'p') }, interactive: true })()).toBe(' two words ')
  })

  it('an unreadable passphrase file is a ConfigError naming it', async () => {
    await expect(passphraseSource({ env: { AUTHCTL_SSH_KEY_PASSPHRASE_FILE: join(dir, 'nope') }, interactive: false })()).rejects.toThrow(ConfigError)
  })

  it('asks once on a terminal with echo off, however many keys need it', async () => {
    const t = tty()
    const source = passphraseSource({ env: {}, interactive: true, input: t.input, output: t.output })
    const first = source()
    const second = source()
    t.type('sekrit\x7ft\r')
    expect(await first).toBe('sekrit')
    expect(await second).toBe('sekrit')
    expect(t.raw).toEqual([true, false])
    expect(t.written()).toBe('Passphrase for the SSH key(s): \n')
  })

  it('never asks when not interactive or without a TTY', async () => {
    const t = tty()
    expect(await passphraseSource({ env: {}, interactive: false, input: t.input, output: t.output })()).toBeUndefined()
    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream
    expect(await passphraseSource({ env: {}, interactive: true, input: pipe, output: t.output })()).toBeUndefined()
    expect(t.written()).toBe('')
  })
})
