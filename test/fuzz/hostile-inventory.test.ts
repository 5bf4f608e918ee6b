// Fuzz: the inventory loader under hostile files: real inventories mutated byte by byte, deep nesting in
// every syntax, huge and malformed host ranges, bytes that are not UTF-8, very long lines. Each either
// loads or fails as a ConfigError naming the file (exit 5), quickly, with a bounded message; never
// another error (exit 1), a hang or a crash.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.js'
import { dumpJson } from '../../src/inventory/ansible-json.js'
import { loadInventory } from '../../src/inventory/load-inventory.js'
import { runAnsible } from '../integration/support/ansible.js'
import { FUZZ_SEED, Rng } from './prng.js'

// Counts recorded in the README's "Fuzz and fault suite".
const MUTATED = 200
const GENERATED = 150
// Each costs two ansible-inventory runs (about a second each on the shared cores).
const COMPARED = 24
// A hang detector, not a benchmark: the worst input takes well under a second on an idle machine.
const PER_INPUT_MS = 5000

const root = mkdtempSync(join(tmpdir(), 'authctl-fuzz-inv-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const SEEDS = {
  ini: readFileSync('test/fixtures/inventory/golden/hosts.ini'),
  yml: readFileSync('test/fixtures/inventory/yaml/hosts.yml'),
}

const INSERTS = ['[', ']', '{', '}', ':', '=', '"', "'", '\\', '#', ';', '\n', '\r', '\t', ' ', '&a ', '*a', '- ', '[1:99999]', '[a:Z]', '[0:1:-1]', '\xff', '\x80', '\xc3', '\x00', '\x1b]52;c;eA==\x07', '\u202e', '---\n', 'children:', 'vars:', 'hosts:']

// One random edit of a file: insert a token, delete or overwrite a span, or duplicate a line.
function mutate(rng: Rng, input: Buffer): Buffer {
  const at = rng.int(0, input.length)
  switch (rng.int(0, 3)) {
    case 0:
      return Buffer.concat([input.subarray(0, at), Buffer.from(rng.pick(INSERTS), 'latin1'), input.subarray(at)])
    case 1:
      return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + rng.int(1, 20)))])
    case 2:
      return Buffer.concat([input.subarray(0, at), rng.bytes(rng.int(1, 4)), input.subarray(at + 1)])
    default: {
      const lines = input.toString('latin1').split('\n')
      const i = rng.int(0, lines.length - 1)
      lines.splice(i, 0, lines[i] ?? '')
      return Buffer.from(lines.join('\n'), 'latin1')
    }
  }
}

const open = (kind: string): string => (kind === 'ini-list' ? '[' : kind === 'ini-dict' ? '{1: ' : kind === 'ini-tuple' ? '(' : kind === 'yaml-map' ? '{a: ' : '[')
const close = (kind: string): string => (kind === 'ini-list' ? ']' : kind === 'ini-dict' || kind === 'yaml-map' ? '}' : kind === 'ini-tuple' ? ',)' : ']')

// A file built to hurt: [file name, content].
function hostile(rng: Rng): [string, Buffer | string] {
  const depth = rng.pick([10, 63, 64, 65, 100, 1000, 5000, 20_000])
  switch (rng.int(0, 6)) {
    case 0: {
      const kind = rng.pick(['ini-list', 'ini-dict', 'ini-tuple'])
      return ['hosts.ini', `[g]\nh1 x="${open(kind).repeat(depth)}1${close(kind).repeat(depth)}"\n`]
    }
    case 1: {
      const kind = rng.pick(['yaml-seq', 'yaml-map'])
      return [rng.pick(['hosts.yml', 'hosts.json']), `{"all": {"hosts": {"h1": {"x": ${open(kind).repeat(depth)}1${close(kind).repeat(depth)}}}}}\n`]
    }
    case 2:
      return ['hosts.yml', `all:\n  vars:\n${Array.from({ length: Math.min(depth, 1000) }, (_, i) => `${' '.repeat(4 + i)}k${rng.chance(0.5) ? ':' : ': -'}`).join('\n')} 1\n`]
    case 3: {
      const bound = (): string => String(rng.pick([0, 1, 9, 10, 99, 100, 9999, 10_000, 40_000, 999_999_999]))
      const range = (): string => `[${rng.chance(0.2) ? 'a' : bound()}:${rng.chance(0.2) ? 'Z' : bound()}${rng.chance(0.3) ? `:${rng.pick(['-1', '0', '2', '7', 'x'])}` : ''}]`
      const pattern = `h${range()}${rng.chance(0.4) ? `n${range()}` : ''}${rng.chance(0.2) ? range() : ''}`
      return rng.chance(0.5) ? ['hosts.ini', `[g]\n${pattern}\n`] : ['hosts.yml', `all:\n  hosts:\n    ${pattern}:\n`]
    }
    case 4:
      return [rng.pick(['hosts.ini', 'hosts.yml']), Buffer.concat([Buffer.from('all:\n  hosts:\n    h1:\n      x: '), rng.bytes(rng.int(1, 40)), Buffer.from('\n')])]
    case 5: {
      const long = rng.pick(['a', '[', '{', '"', "'", '\\', ':', ' ', '=']).repeat(rng.int(10_000, 300_000))
      return rng.chance(0.5) ? ['hosts.ini', `[g]\nh1 x=${long}\n`] : ['hosts.yml', `all:\n  hosts:\n    h1:\n      x: ${long}\n`]
    }
    default:
      return ['hosts.yml', `a0: &a0 [1]\n${Array.from({ length: rng.int(1, 40) }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`).join('\n')}\nall:\n  vars:\n    x: *a${rng.int(0, 40)}\n`]
  }
}

// What went wrong with one input, or undefined when it loaded or failed as it should.
async function verdict(dir: string, entry: string): Promise<string | undefined> {
  const started = performance.now()
  const error: unknown = await loadInventory(join(dir, entry), { env: { VAULT_ADDR: 'https://vault.example:8200' } }).then(() => undefined, (e: unknown) => e)
  const ms = performance.now() - started
  if (ms > PER_INPUT_MS) return `took ${Math.round(ms)} ms`
  if (error === undefined) return undefined
  if (!(error instanceof ConfigError)) return `${(error as Error).name}: ${(error as Error).message?.slice(0, 200)}`
  if (!error.message.includes(dir)) return `message does not name the file: ${error.message.slice(0, 200)}`
  // Parser messages (path:line first) are escaped and bounded; variable checks quote values their own way.
  if (error.message.startsWith(dir) && Buffer.byteLength(error.message) > 2048) return `message of ${Buffer.byteLength(error.message)} bytes`
  return undefined
}

describe(`hostile inventories (seed ${FUZZ_SEED})`, () => {
  it('real inventories (INI with group_vars/host_vars, YAML) mutated at random', async () => {
    const rng = new Rng(FUZZ_SEED)
    const failures: string[] = []
    for (let i = 0; i < MUTATED; i++) {
      const kind = rng.chance(0.5) ? 'ini' : 'yml'
      const dir = join(root, `m${i}`)
      if (kind === 'ini') cpSync('test/fixtures/inventory/golden', dir, { recursive: true })
      else mkdirSync(dir)
      let content: Buffer = SEEDS[kind]
      for (let n = rng.int(1, 6); n > 0; n--) content = mutate(rng, content)
      writeFileSync(join(dir, `hosts.${kind}`), content)
      const problem = await verdict(dir, `hosts.${kind}`)
      if (problem) failures.push(`seed ${FUZZ_SEED}, mutated case ${i}: ${problem}`)
    }
    expect(failures.slice(0, 3)).toEqual([])
  })

  it('files built to hurt: deep nesting, huge ranges, bad bytes, long lines, alias bombs', async () => {
    const rng = new Rng(FUZZ_SEED + 1)
    const failures: string[] = []
    for (let i = 0; i < GENERATED; i++) {
      const dir = mkdtempSync(join(root, 'g-'))
      const [file, content] = hostile(rng)
      writeFileSync(join(dir, file), content)
      const problem = await verdict(dir, file)
      if (problem) failures.push(`seed ${FUZZ_SEED}, generated case ${i} (${file}, ${String(content).slice(0, 60)}…): ${problem}`)
    }
    expect(failures.slice(0, 3)).toEqual([])
  })
})

// A big or small integer as Python writes it: beyond 2^53 more often than not.
function integer(rng: Rng): string {
  if (rng.chance(0.3)) return String(rng.int(-1000, 1000))
  const digits = Array.from({ length: rng.int(16, 32) }, (_, i) => String(i === 0 ? rng.int(1, 9) : rng.int(0, 9))).join('')
  return rng.chance(0.2) ? `-${digits}` : digits
}

// A value for one of a few shared keys, so the same key is set at many levels: mostly dicts (which must
// replace each other whole), big integers alone or inside lists and dicts. [INI host token, INI :vars, YAML].
function dictValue(rng: Rng): [string, string, string] {
  const entries = Array.from({ length: rng.int(0, 3) }, () => [rng.pick(['a', 'b', 'c', 'd']), rng.chance(0.5) ? integer(rng) : `s${rng.int(0, 9)}`] as const)
  const py = (v: string): string => (/^-?\d+$/.test(v) ? v : `'${v}'`)
  switch (rng.int(0, 3)) {
    case 0:
    case 1: {
      const body = entries.map(([k, v]) => `'${k}': ${py(v)}`).join(', ')
      return [`"{${body}}"`, `{${body}}`, `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`]
    }
    case 2: {
      const n = integer(rng)
      return [n, n, n]
    }
    default: {
      const items = entries.map(([, v]) => py(v)).join(', ')
      return [`"[${items}]"`, `[${items}]`, `[${entries.map(([, v]) => v).join(', ')}]`]
    }
  }
}

// An inventory where dict-valued and big-integer variables meet at every precedence level: groups nested
// at random depths with priorities, a host in several groups and listed twice, group_vars and host_vars.
function precedenceInventory(rng: Rng): Record<string, string> {
  const keys = ['labels', 'cfg', 'n']
  const groups = Array.from({ length: rng.int(2, 5) }, (_, i) => `g${i}`)
  const hosts = Array.from({ length: rng.int(1, 3) }, (_, i) => `h${i}`)
  const lines: string[] = []
  for (const g of groups) {
    lines.push(`[${g}]`)
    for (const h of hosts.filter(() => rng.chance(0.6))) lines.push([h, ...keys.filter(() => rng.chance(0.4)).map((k) => `${k}=${dictValue(rng)[0]}`)].join(' '))
    lines.push(`[${g}:vars]`)
    if (rng.chance(0.4)) lines.push(`ansible_group_priority=${rng.int(0, 3)}`)
    for (const k of keys.filter(() => rng.chance(0.6))) lines.push(`${k}=${dictValue(rng)[1]}`)
  }
  // a group's vars again in a later section (the same key set twice within one source)
  for (const g of groups.filter(() => rng.chance(0.5))) lines.push(`[${g}:vars]`, ...keys.filter(() => rng.chance(0.7)).map((k) => `${k}=${dictValue(rng)[1]}`))
  for (const [i, g] of groups.entries()) {
    const parent = groups[rng.int(0, i)]
    if (parent !== g && rng.chance(0.5)) lines.push(`[${parent}:children]`, g)
  }
  const files: Record<string, string> = { 'hosts.ini': lines.join('\n') + '\n' }
  const yaml = (): string => keys.filter(() => rng.chance(0.5)).map((k) => `${k}: ${dictValue(rng)[2]}\n`).join('')
  for (const name of ['all', ...groups]) if (rng.chance(0.4)) files[`group_vars/${name}.yml`] = yaml()
  for (const h of hosts) if (rng.chance(0.4)) files[`host_vars/${h}.yml`] = yaml()
  return files
}

describe(`dict-valued precedence and large integers against ansible-inventory (seed ${FUZZ_SEED})`, () => {
  it('authctl prints --list and --list --export exactly as ansible-inventory does', async () => {
    const rng = new Rng(FUZZ_SEED + 2)
    const cases = Array.from({ length: COMPARED }, (_, i) => {
      const dir = join(root, `p${i}`)
      for (const [name, content] of Object.entries(precedenceInventory(rng))) {
        mkdirSync(join(dir, name, '..'), { recursive: true })
        writeFileSync(join(dir, name), content)
      }
      return join(dir, 'hosts.ini')
    })
    const failures: string[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      for (let i = next++; i < cases.length; i = next++) {
        const path = cases[i] as string
        const inventory = await loadInventory(path, { env: {} })
        for (const exported of [false, true]) {
          const ansible = await runAnsible('ansible-inventory', ['-i', path, '--list', ...(exported ? ['--export'] : [])])
          const authctl = dumpJson(inventory.toListJson({ export: exported })) + '\n'
          if (ansible.code !== 0 || authctl !== ansible.stdout) failures.push(`seed ${FUZZ_SEED}, precedence case ${i}${exported ? ' --export' : ''} (${path}): ${ansible.code === 0 ? 'output differs' : ansible.stderr.slice(0, 200)}`)
        }
      }
    }
    await Promise.all([worker(), worker(), worker()])
    expect(failures.slice(0, 3)).toEqual([])
  }, 180_000)
})

