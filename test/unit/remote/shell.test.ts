import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { hostPaths } from '../../../src/stack/host-paths.js'
import { commandLine, quote } from '../../../src/remote/shell.js'
import { commandName, rootScript } from '../../../src/remote/sudo.js'
import { writeConvergeArgv } from '../../../src/remote/write-converge-script.js'

describe('quote', () => {
  it.each([
    ['', "''"],
    ['plain', 'plain'],
    ['a-b_c.d/e:f,g@h%i+j=k', 'a-b_c.d/e:f,g@h%i+j=k'],
    ['two words', "'two words'"],
    ["it's", `'it'"'"'s'`],
    ["'", `''"'"''`],
    ['say "hi"', `'say "hi"'`],
    ['$HOME', "'$HOME'"],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ['a\nb', "'a\nb'"],
    ['tab\there', "'tab\there'"],
    ['*', "'*'"],
    ['~root', "'~root'"],
    ['a;b|c&d', "'a;b|c&d'"],
    ['back\\slash', "'back\\slash'"],
    ['-n', '-n'],
    ['héllo', "'héllo'"],
    ['日本', "'日本'"],
    ['!', "'!'"],
  ])('quote(%j) → %s', (input, expected) => {
    expect(quote(input)).toBe(expected)
  })
})

describe('commandLine', () => {
  it.each([
    [[], ''],
    [['echo'], 'echo'],
    [['printf', '%s', 'a b'], "printf %s 'a b'"],
    [['sh', '-c', 'echo "$1"', 'x', ''], `sh -c 'echo "$1"' x ''`],
    [['printf', '%s', "it's $(id)"], `printf %s 'it'"'"'s $(id)'`],
  ] as const)('commandLine(%j) → %s', (argv, expected) => {
    expect(commandLine(argv)).toBe(expected)
  })

  // The real proof: a POSIX shell splits the line back into exactly the argv we started from.
  it('round-trips awkward arguments through /bin/sh', () => {
    const argv = ['', ' ', "'", '"', '$x', '$(id)', '`id`', 'a\nb', '\\', '*', 'é日本', "'\"'\"'", '--', '-e']
    const script = `for a in ${commandLine(argv)}; do printf '%s\\0' "$a"; done`
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' })
    expect(out.split('\0').slice(0, -1)).toEqual(argv)
  })
})

describe('commandName (how messages name a remote command)', () => {
  it('names a root script by its name, never by its text', () => {
    expect(commandName(writeConvergeArgv([], [], undefined, { paths: hostPaths('/data/authentik'), project: 'authentik', up: true, groups: [], waitSeconds: 5 }).argv)).toBe('authctl-write-converge')
    expect(commandName(rootScript('authctl-state', 'set -u\nexit 0', ['/data/authentik']))).toBe('authctl-state')
  })

  it('names anything else by the first line of its command line, at most 120 characters', () => {
    expect(commandName(['sleep', '5'])).toBe('sleep 5')
    expect(commandName(['sh', '-c', 'echo a\necho b'])).toBe("sh -c 'echo a")
    expect(commandName(['echo', 'x'.repeat(300)])).toHaveLength(120)
  })
})
