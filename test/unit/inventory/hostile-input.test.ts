// Inventories built to break the loader: deep nesting, self-referencing aliases, bytes that are not UTF-8,
// host ranges of tens of thousands. Each is a ConfigError naming path:line (exit 5), never a crash (exit 1).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { countHostnameRange, expandHostPattern, HostPatternError } from '../../../src/inventory/host-range.js'
import { MAX_FILE_BYTES, MAX_RANGE_HOSTS, MAX_VALUE_DEPTH } from '../../../src/inventory/limits.js'
import { loadInventory } from '../../../src/inventory/load-inventory.js'

function write(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'authctl-hostile-inv-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return dir
}

async function failure(files: Record<string, string | Buffer>, entry: string): Promise<{ error: ConfigError; dir: string }> {
  const dir = write(files)
  const error: unknown = await loadInventory(join(dir, entry), { env: {} }).then(() => new Error('loaded'), (e: unknown) => e)
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`)
  return { error, dir }
}

const nest = (depth: number, inner = '1'): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
const DEEP = 20_000
const TOO_DEEP = `nested deeper than ${MAX_VALUE_DEPTH} levels`

describe('limits', () => {
  it('are the documented ones', () => {
    expect([MAX_VALUE_DEPTH, MAX_RANGE_HOSTS, MAX_FILE_BYTES]).toEqual([64, 10_000, 8 * 1024 * 1024])
  })
})

describe('deep nesting is a ConfigError with path:line', () => {
  it.each([
    ['INI host variable, 20,000 deep', 'hosts.ini', `[g]\nh1 x=${nest(DEEP)}\n`, 2],
    ['INI group variable, 20,000 deep', 'hosts.ini', `[g]\nh1\n[g:vars]\nx=${nest(DEEP)}\n`, 4],
    ['INI dict, 65 deep', 'hosts.ini', `[g]\nh1 x="${'{1: '.repeat(65)}1${'}'.repeat(65)}"\n`, 2],
    ['YAML flow value, 20,000 deep', 'hosts.yml', `all:\n  hosts:\n    h1:\n      x: ${nest(DEEP)}\n`, 4],
    ['JSON inventory, 20,000 deep', 'hosts.json', `{"all": {"hosts": {"h1": {"x": ${nest(DEEP)}}}}}\n`, 1],
    ['YAML block mappings, 2,000 deep', 'hosts.yml', `all:\n  vars:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(4 + i)}k:`).join('\n')} 1\n`, 65],
    ['YAML block mappings, 70 deep', 'hosts.yml', `all:\n  vars:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(4 + i)}k:`).join('\n')} 1\n`, 65],
    ['YAML self-referencing alias', 'hosts.yml', 'all:\n  hosts:\n    h1:\n      a: &a [*a]\n', 4],
    ['YAML aliases stacking depth', 'hosts.yml', `all:\n  vars:\n    x0: &x0 ${nest(20)}\n    x1: &x1 ${nest(20, '*x0')}\n    x2: &x2 ${nest(20, '*x1')}\n    x3: ${nest(20, '*x2')}\n`, 6],
  ])('%s', async (_name, file, content, line) => {
    const { error, dir } = await failure({ [file]: content }, file)
    expect(error.message).toMatch(new RegExp(`^${join(dir, file)}:${line}: .*${TOO_DEEP}`))
    expect(error.message.length).toBeLessThan(1200)
    expect(error.hint).toBeTruthy()
  })

  it('in a group_vars file, naming that file', async () => {
    const { error, dir } = await failure({ 'hosts.ini': '[web]\nh1\n', 'group_vars/web.yml': `a: 1\nb: ${nest(DEEP)}\n` }, 'hosts.ini')
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'group_vars/web.yml')}:2: .*${TOO_DEEP}`))
  })

  it('64 levels still load, with the value intact', async () => {
    const dir = write({ 'hosts.ini': `[g]\nh1 x=${nest(MAX_VALUE_DEPTH)}\n`, 'hosts.yml': `g2:\n  hosts:\n    h2:\n      y: ${nest(MAX_VALUE_DEPTH - 4)}\n` })
    const ini = await loadInventory(join(dir, 'hosts.ini'), { env: {} })
    expect(JSON.stringify(ini.hostVars('h1').vars.x)).toBe(nest(MAX_VALUE_DEPTH))
    const yml = await loadInventory(join(dir, 'hosts.yml'), { env: {} })
    expect(JSON.stringify(yml.hostVars('h2').vars.y)).toBe(nest(MAX_VALUE_DEPTH - 4))
  })
})

describe('bytes that are not UTF-8 in YAML are a ConfigError with path:line', () => {
  const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')

  it.each([
    ['in a value', 'all:\n  hosts:\n    h1:\n      x: caf\xe9\n', 4],
    ['in a comment (PyYAML refuses any)', '# caf\xe9\nall:\n  hosts:\n    h1:\n', 1],
    ['a lone continuation byte in a key', 'all:\n  hosts:\n    h\x80:\n', 3],
  ])('%s', async (_name, content, line) => {
    const { error, dir } = await failure({ 'hosts.yml': latin1(content) }, 'hosts.yml')
    // the yaml plugin's reason first; Ansible's ini plugin, tried next, names its own line
    expect(error.message.split('\n')[0]).toBe(`${join(dir, 'hosts.yml')}:${line}: line is not valid UTF-8`)
    expect(error.message.split('\n')[1]).toMatch(new RegExp(`^Ansible's ini plugin cannot read it either: ${join(dir, 'hosts.yml')}:\\d+: `))
    expect(error.hint).toContain('Save the file as UTF-8.')
  })

  it('in a host_vars file', async () => {
    const { error, dir } = await failure({ 'hosts.ini': 'h1\n', 'host_vars/h1.yml': latin1('a: 1\nb: \xff\n') }, 'hosts.ini')
    expect(error.message).toBe(`${join(dir, 'host_vars/h1.yml')}:2: line is not valid UTF-8`)
  })

  it('an extension-less file falls through to the INI reader, which names the line', async () => {
    const { error, dir } = await failure({ hosts: latin1('[g]\nh\xe9\n') }, 'hosts')
    expect(error.message.split('\n')[0]).toBe(`${join(dir, 'hosts')}:2: line is not valid UTF-8`)
  })

  it('valid UTF-8 (and a BOM) still loads', async () => {
    const dir = write({ 'hosts.yml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('all:\n  hosts:\n    h1:\n      x: café 日本\n')]) })
    const inventory = await loadInventory(join(dir, 'hosts.yml'), { env: {} })
    expect(inventory.hostVars('h1').vars.x).toBe('café 日本')
  })
})

describe(`host ranges take at most ${MAX_RANGE_HOSTS} hosts from one line`, () => {
  it.each([
    ['INI', 'hosts.ini', '[g]\nh[00000:39999]\n', 2, 'h[00000:39999]', 40_000],
    ['YAML', 'hosts.yml', 'all:\n  hosts:\n    h[00000:39999]:\n', 3, 'h[00000:39999]', 40_000],
    ['two ranges multiply', 'hosts.ini', '[g]\nr[0:999]n[0:999]\n', 2, 'r[0:999]n[0:999]', 1_000_000],
    ['a billion, refused without listing them', 'hosts.ini', '[g]\nh[1:1000000000]\n', 2, 'h[1:1000000000]', 1_000_000_000],
  ])('%s', async (_name, file, content, line, pattern, count) => {
    const started = performance.now()
    const { error, dir } = await failure({ [file]: content }, file)
    expect(error.message.split('\n')[0]).toBe(`${join(dir, file)}:${line}: host range '${pattern}' stands for ${count} hosts; authctl takes at most ${MAX_RANGE_HOSTS} from one line`)
    expect(error.hint).toBeTruthy()
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('exactly the limit loads', async () => {
    const dir = write({ 'hosts.ini': `[g]\nh[1:${MAX_RANGE_HOSTS}]\n` })
    expect((await loadInventory(join(dir, 'hosts.ini'), { env: {} })).hostNames()).toHaveLength(MAX_RANGE_HOSTS)
  })

  it.each([
    ['h[1:10]', 10],
    ['h[01:10:3]', 4],
    ['h[5:1:-1]', 3],
    ['h[1:5:-1]', 0],
    ['h[a:e]', 5],
    ['h[a:z:5]', 6],
    ['h[1:2]x[a:c]y[0:3]', 24],
    ['h[3:1]', 0],
  ])('countHostnameRange(%s) = %d, the length of the expansion', (pattern, count) => {
    expect(countHostnameRange(pattern)).toBe(count)
    expect(expandHostPattern(pattern).hosts).toHaveLength(count)
  })

  it('counts with the same rules as it expands: an invalid later range still fails', () => {
    expect(() => countHostnameRange('h[1:2]x[01:3]')).toThrow(HostPatternError)
    expect(() => expandHostPattern('h[1:2]x[01:3]')).toThrow('equal-length begin and end formats')
  })

  it('a negative step counts down to end+1, as Python range() does (ansible-inventory: h5 h4 h3)', () => {
    expect(expandHostPattern('h[5:1:-1]').hosts).toEqual(['h5', 'h4', 'h3'])
  })
})

describe(`files larger than ${MAX_FILE_BYTES} bytes are refused before parsing`, () => {
  const TOO_LARGE = 'file is larger than 8 MiB, the most authctl reads'

  it('an inventory file', async () => {
    const { error, dir } = await failure({ 'hosts.ini': `[g]\nh1\n# ${'x'.repeat(MAX_FILE_BYTES)}\n` }, 'hosts.ini')
    expect(error.message).toBe(`${join(dir, 'hosts.ini')}:1: ${TOO_LARGE}`)
  })

  it('a vars file', async () => {
    const { error, dir } = await failure({ 'hosts.ini': 'h1\n', 'host_vars/h1.yml': `a: "${'y'.repeat(MAX_FILE_BYTES)}"\n` }, 'hosts.ini')
    expect(error.message).toBe(`${join(dir, 'host_vars/h1.yml')}:1: ${TOO_LARGE}`)
  })

  it('a device that never ends (-i /dev/zero) stops after 8 MiB', async () => {
    const error: unknown = await loadInventory('/dev/zero', { env: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`/dev/zero:1: ${TOO_LARGE}`)
  })

  it('exactly the limit is read', async () => {
    const head = '[g]\nh1\n# '
    const dir = write({ 'hosts.ini': `${head}${'x'.repeat(MAX_FILE_BYTES - head.length - 1)}\n` })
    expect((await loadInventory(join(dir, 'hosts.ini'), { env: {} })).hostNames()).toEqual(['h1'])
  })
})

describe('a line of 300,000 brackets is refused at the 65th', () => {
  it.each(['[', '{'])('%s', async (bracket) => {
    const started = performance.now()
    const { error, dir } = await failure({ 'hosts.yml': `all:\n  hosts:\n    h1:\n      x: ${bracket.repeat(300_000)}\n` }, 'hosts.yml')
    expect(error.message.split('\n')[0]).toBe(`${join(dir, 'hosts.yml')}:4: value nested deeper than 64 levels`)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
