// Fuzz: the one quoting function (src/remote/shell.ts) against the real shells a remote user may have.
// Random argv (quotes, newlines, every NUL-free character, unicode, $(), backticks, globs) is quoted
// into command lines; sh and bash must hand back exactly that argv, to a function and to a program.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { commandLine } from '../../src/remote/shell.js'
import { FUZZ_SEED, Rng } from './prng.js'

// Counts recorded in the README's "Fuzz and fault suite".
const CASES_PER_SHELL = 4000
const PROGRAM_CASES = 150
const SHELLS = ['/bin/sh', '/bin/bash']

const FRAGMENTS = [
  "'", '"', '\\', '$', '$(id)', '`id`', '${HOME}', '$((1+1))', '\n', '\r', '\t', ' ', '  ', '*', '?', '[a-z]', '~', '~root', '#', ';', '&', '&&',
  '|', '<', '>', '>>', '(', ')', '{', '}', '!', '!!', '%', '=', '-', '--', '-n', '-e', "'\"'\"'", "\\'", 'é', '日本', '😀', '\u202e', '\u00a0',
  '\x1b[31m', '\x7f', '\x01', '\x08', 'a', 'plain', '/tmp/x', 'IFS=x', ':', ',', '\u2028', '\ufeff',
]

function randomArg(rng: Rng): string {
  let arg = ''
  const parts = rng.int(0, 8)
  for (let i = 0; i < parts; i++) arg += rng.chance(0.7) ? rng.pick(FRAGMENTS) : String.fromCodePoint(rng.codePoint())
  return arg
}

function randomArgv(rng: Rng): string[] {
  return Array.from({ length: rng.int(0, 6) }, () => randomArg(rng))
}

// An argv echo as a shell function: the shell alone parses the command line, no exec in between.
const ARGV_FUNCTION = `argv() { printf '%s\\0' "$#" "$@"; }`

// What an argv echo prints: the count, then each argument, NUL-terminated (no argument holds a NUL).
function decode(out: Buffer): string[][] {
  const fields = out.toString('utf8').split('\0')
  const cases: string[][] = []
  for (let i = 0; i < fields.length - 1; ) {
    const n = Number(fields[i])
    cases.push(fields.slice(i + 1, i + 1 + n))
    i += 1 + n
  }
  return cases
}

function runShell(shell: string, script: string): string[][] {
  const r = spawnSync(shell, ['-c', script], { maxBuffer: 64 * 1024 * 1024, env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`${shell} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`)
  return decode(r.stdout)
}

// Runs command lines through `shell -c` as sshd does, in scripts below the kernel's 128 KiB limit per argument.
function runLines(shell: string, prelude: string, lines: string[]): string[][] {
  const out: string[][] = []
  let batch: string[] = []
  let size = 0
  const flush = (): void => {
    if (batch.length > 0) out.push(...runShell(shell, [prelude, ...batch].join('\n')))
    batch = []
    size = 0
  }
  for (const line of lines) {
    if (size + Buffer.byteLength(line) > 100_000) flush()
    batch.push(line)
    size += Buffer.byteLength(line) + 1
  }
  flush()
  return out
}

// The first case whose argv came back different, with what it takes to replay it.
function firstMismatch(sent: string[][], got: string[][], label: string): string | undefined {
  for (let i = 0; i < sent.length; i++) {
    if (JSON.stringify(sent[i]) !== JSON.stringify(got[i])) {
      return `${label}, seed ${FUZZ_SEED}, case ${i}: sent ${JSON.stringify(sent[i])} as ${JSON.stringify(commandLine(sent[i] ?? []))}, got ${JSON.stringify(got[i])}`
    }
  }
  return sent.length === got.length ? undefined : `${label}, seed ${FUZZ_SEED}: ${sent.length} cases sent, ${got.length} came back`
}

const dir = mkdtempSync(join(tmpdir(), 'authctl-fuzz-sh-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe(`argv quoting through real shells (seed ${FUZZ_SEED})`, () => {
  it.each(SHELLS)('%s: every random argv comes back exactly, to a shell function', (shell) => {
    const rng = new Rng(FUZZ_SEED + shell.length)
    const sent = Array.from({ length: CASES_PER_SHELL }, () => randomArgv(rng))
    // Each command line is what the remote shell gets; `argv` is a function, so the shell alone parses it.
    const got = runLines(shell, ARGV_FUNCTION, sent.map((argv) => commandLine(['argv', ...argv])))
    expect(firstMismatch(sent, got, shell)).toBeUndefined()
    expect(got).toHaveLength(CASES_PER_SHELL)
  })

  it.each(SHELLS)('%s: and to a separate program (exec boundary)', (shell) => {
    const echo = join(dir, 'argv-echo')
    writeFileSync(echo, `#!/bin/sh\nprintf '%s\\0' "$#" "$@"\n`)
    chmodSync(echo, 0o755)
    const rng = new Rng(FUZZ_SEED * 7 + shell.length)
    const sent = Array.from({ length: PROGRAM_CASES }, () => randomArgv(rng))
    const got = runLines(shell, '', sent.map((argv) => commandLine([echo, ...argv])))
    expect(firstMismatch(sent, got, `${shell} -> ${echo}`)).toBeUndefined()
  })

  it('nothing the arguments spell out ran: no file appeared', () => {
    const marker = join(dir, 'pwned')
    const argv = [`$(touch ${marker})`, `\`touch ${marker}\``, `'; touch ${marker}; '`, `"; touch ${marker}; "`, `\ntouch ${marker}\n`]
    for (const shell of SHELLS) expect(runLines(shell, ARGV_FUNCTION, [commandLine(['argv', ...argv])])).toEqual([argv])
    expect(spawnSync('test', ['-e', marker]).status).toBe(1)
  })
})
