// The review's hostile inventories through the built CLI: each used to crash (exit 1), load silently
// wrong (U+FFFD) or take seconds (40,000 hosts); each is now exit 5 naming path:line, quickly, no stack.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliRun } from './support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'authctl-hostile-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const nest = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`

// [name, file, content, expected first stderr line after "Error: <path>:"]
const CASES: Array<[string, string, string | Buffer, string]> = [
  ['20,000-deep INI value', 'deep.ini', `[all]\nh1 x=${nest(20_000)}\n`, '2: value nested deeper than 64 levels: x=[[['],
  ['20,000-deep YAML value', 'deep.yml', `all:\n  hosts:\n    h1:\n      x: ${nest(20_000)}\n`, '4: value nested deeper than 64 levels'],
  ['self-referencing YAML alias', 'cycle.yml', 'all:\n  hosts:\n    h1:\n      a: &a [*a]\n', '4: value nested deeper than 64 levels'],
  ['non-UTF-8 byte in YAML', 'bad.yml', Buffer.from('all:\n  hosts:\n    h1:\n      x: caf\xe9\n', 'latin1'), '4: line is not valid UTF-8'],
  ['40,000 hosts from one range', 'range.ini', '[all]\nh[00000:39999]\n', "2: host range 'h[00000:39999]' stands for 40000 hosts; authctl takes at most 10000 from one line"],
]

const runs = new Map<string, { run: CliRun; ms: number }>()

beforeAll(async () => {
  await Promise.all(
    CASES.map(async ([name, file, content]) => {
      writeFileSync(join(dir, file), content)
      const started = performance.now()
      const run = await runCli(['inventory', '--list', '-i', join(dir, file)], { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' }, 60_000)
      runs.set(name, { run, ms: performance.now() - started })
    }),
  )
}, 120_000)

describe('hostile inventories through the CLI', () => {
  it.each(CASES)('%s: exit 5 with path:line, no stack, nothing on stdout', (name, file, _content, message) => {
    const { run, ms } = runs.get(name) ?? { run: { code: -1, stdout: '', stderr: '' }, ms: 0 }
    expect(run.code).toBe(5)
    expect(run.stdout).toBe('')
    expect(run.stderr.split('\n')[0]?.startsWith(`Error: ${join(dir, file)}:${message}`)).toBe(true)
    expect(run.stderr).toContain('Hint: ')
    expect(run.stderr).not.toContain('    at ')
    expect(Buffer.byteLength(run.stderr)).toBeLessThan(2048)
    expect(ms).toBeLessThan(20_000)
  })
})
