// The passphrase of encrypted SSH keys: from the file AUTHCTL_SSH_KEY_PASSPHRASE_FILE names, or asked
// once on the terminal without echo. Never from argv, where any user could read it in ps.
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'

// Yields the passphrase (asked at most once per run), or undefined when none can be had.
export type PassphraseSource = () => Promise<string | undefined>

// Reads one line from a TTY with echo off; Ctrl-C aborts, as ssh's own prompt does.
function askOnTerminal(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    output.write(prompt)
    input.setRawMode(true)
    input.resume()
    let answer = ''
    const done = (value: string | undefined): void => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      resolve(value)
    }
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(answer)
        if (ch === '\u0003' || ch === '\u0004') return done(undefined)
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1)
        else answer += ch
      }
    }
    input.on('data', onData)
  })
}

// The file's content minus one trailing newline; an unreadable file is a ConfigError naming it.
export function readPassphraseFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
  } catch (error) {
    throw new ConfigError(`AUTHCTL_SSH_KEY_PASSPHRASE_FILE ${path} cannot be read: ${(error as Error).message}`, {
      hint: 'point AUTHCTL_SSH_KEY_PASSPHRASE_FILE at a file (mode 0600) holding the key passphrase',
      cause: error,
    })
  }
}

// The run's passphrase source: the env file first; else the terminal when allowed and stdin is a TTY.
export function passphraseSource(opts: {
  env: NodeJS.ProcessEnv
  interactive: boolean
  input?: NodeJS.ReadStream
  output?: NodeJS.WriteStream
}): PassphraseSource {
  let answer: Promise<string | undefined> | undefined
  const input = opts.input ?? process.stdin
  const output = opts.output ?? process.stderr
  return () => {
    answer ??= (async () => {
      const file = opts.env.AUTHCTL_SSH_KEY_PASSPHRASE_FILE
      if (file !== undefined && file !== '') return readPassphraseFile(file)
      if (!opts.interactive || !input.isTTY) return undefined
      return askOnTerminal('Passphrase for the SSH key(s): ', input, output)
    })()
    return answer
  }
}
