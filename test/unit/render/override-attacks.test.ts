// A templates/ folder beside the inventory comes with the inventory's checkout (a pull request, a
// colleague's branch): each override here tries to reach the operator's Vault token, another secret
// authctl holds, the process or the file system. Not one may leak, and each must be refused.
import { existsSync } from 'node:fs'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'
import { renderBundle } from '../../../src/render/bundle.js'
import { TEMPLATE_NAMES } from '../../../src/render/templates-dir.js'
import { DEFAULT_INPUT } from './default-input.js'

const TOKEN = `hvs.SENTINEL-operator-token-${process.pid}-${Date.now()}`
const FILE_SECRET = `SENTINEL_secret_id_${process.pid}_${Date.now()}`
const SECRETS = [new Secret(TOKEN), new Secret(FILE_SECRET)]
const NAMES = Object.values(TEMPLATE_NAMES)

let dir = ''
let canary = ''
let secretFile = ''
const savedToken = process.env.VAULT_TOKEN

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-override-attack-'))
  canary = join(dir, 'canary')
  secretFile = join(dir, 'vault-token')
  await writeFile(secretFile, `${FILE_SECRET}\n`)
  process.env.VAULT_TOKEN = TOKEN
})

afterAll(async () => {
  if (savedToken === undefined) delete process.env.VAULT_TOKEN
  else process.env.VAULT_TOKEN = savedToken
  await rm(dir, { recursive: true, force: true })
})

// Overrides written as text: every way out of the template we could think of.
const c = () => JSON.stringify(canary)
const TEXT_ATTACKS: Array<[string, () => string]> = [
  ['process.env in an output tag', () => 'x = <%= process.env.VAULT_TOKEN %>\n'],
  ['process.env in a raw tag', () => 'x = <%- process.env.VAULT_TOKEN %>\n'],
  ['process.env in a scriptlet', () => '<% __append(process.env.VAULT_TOKEN) %>\n'],
  ['process.env in a whitespace-slurping scriptlet', () => '<%_ __append(process.env.VAULT_TOKEN) _%>\n'],
  ['globalThis.process', () => '<%= globalThis.process.env.VAULT_TOKEN %>'],
  ['this.constructor.constructor', () => "<%= this.constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['v.constructor.constructor', () => "<%= v.constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['a string value\'s constructor', () => "<%= v.hostName.constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['a nested object\'s constructor', () => "<%= v.container.constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['v.__proto__', () => "<%= v.__proto__.constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['an array literal\'s constructor', () => "<%= [].constructor.constructor('return process')().env.VAULT_TOKEN %>"],
  ['an arrow function\'s constructor', () => "<%= (()=>0)['constr'+'uctor']('return process')().env.VAULT_TOKEN %>"],
  ['the escape function\'s constructor', () => "<%= escapeFn.constructor('return process')().env.VAULT_TOKEN %>"],
  ['a template literal', () => '<%= `${process.env.VAULT_TOKEN}` %>'],
  ['a statement after a variable', () => '<%= v.hostName; process.env.VAULT_TOKEN %>'],
  ['an expression after a variable', () => '<%= v.hostName + process.env.VAULT_TOKEN %>'],
  ['bracket access', () => "<%= v['hostName'] + v['constructor'] %>"],
  ['a builtin module', () => "<%= process.getBuiltinModule('fs').readFileSync('/proc/self/environ', 'utf8') %>"],
  ['require', () => "<%= require('fs').readFileSync('/proc/self/environ', 'utf8') %>"],
  ['dynamic import', () => "<%= import('node:fs') %>"],
  ['ejs include of a secret file', () => `<%- include(${JSON.stringify(secretFile)}) %>`],
  ['ejs include of environ', () => "<%- include('/proc/self/environ') %>"],
  ['a side effect on the bastion', () => `<% process.getBuiltinModule('fs').writeFileSync(${c()}, 'pwned') %>`],
  ['a child process', () => `<% process.getBuiltinModule('child_process').execSync('touch ' + ${c()}) %>`],
  ['process.exit', () => '<% process.exit(0) %>'],
  ['an endless loop', () => '<% while (true) {} %>'],
  ['a tag split over lines', () => '<%= v.hostName\n+ process.env.VAULT_TOKEN %>'],
  ['a line separator inside the tag', () => '<%= v.hostName\u2028+ process.env.VAULT_TOKEN %>'],
  ['an unknown own-looking name', () => '<%= v.toString %>'],
  ['a prototype name at depth', () => '<%= v.container.__proto__ %>'],
  ['hasOwnProperty', () => '<%= v.hasOwnProperty %>'],
  ['an unclosed tag', () => '<%= process.env.VAULT_TOKEN'],
  ['a stray closing delimiter', () => 'a %> b <%= v.hostName %>'],
  ['the secret written literally', () => `token = ${TOKEN}\n`],
  ['the secret inside a code tag', () => `<% ${TOKEN} %>`],
  ['the secret inside an unclosed tag', () => `<%= ${TOKEN}`],
  ['the secret as a variable name', () => `<%= v.${FILE_SECRET} %>`],
  ['the secret split around a comment', () => `x = ${TOKEN.slice(0, 8)}<%# hidden -%>\n${TOKEN.slice(8)}\n`],
  ['a NUL byte', () => 'a\u0000<%= v.hostName %>'],
  ['an escape sequence for the terminal', () => '\u001b]0;pwned\u0007<%= v.hostName %>'],
]

// Overrides planted as something other than a small regular file.
const FILE_ATTACKS: Array<[string, (path: string) => Promise<void>]> = [
  ['a symlink to the token file', (path) => symlink(secretFile, path)],
  ['a symlink to /proc/self/environ', (path) => symlink('/proc/self/environ', path)],
  ['a symlink to /dev/zero', (path) => symlink('/dev/zero', path)],
  ['a dangling symlink', (path) => symlink(join(dir, 'missing'), path)],
  ['a FIFO nobody writes to', async (path) => void (await import('node:child_process')).execFileSync('mkfifo', [path])],
  ['a folder', async (path) => (await import('node:fs/promises')).mkdir(path).then(() => undefined)],
  ['a file larger than the size cap', (path) => writeFile(path, `${'#'.repeat(2 * 1024 * 1024)}\n`)],
  ['a file that is not UTF-8', (path) => writeFile(path, Buffer.from([0x61, 0xff, 0xfe, 0x0a]))],
]

// Everything a person or a host could see from one render: file contents, or the error's words.
async function attempt(overrideDir: string): Promise<{ seen: string; error?: unknown }> {
  try {
    const { files } = await renderBundle(DEFAULT_INPUT, { overrideDir, secrets: SECRETS })
    return { seen: files.map((f) => `${f.path}\n${String(f.content)}`).join('\n') }
  } catch (error) {
    const e = error as ConfigError
    return { seen: `${e.message}\n${e.hint ?? ''}\n${String(e.cause ?? '')}`, error }
  }
}

function expectNoLeak(seen: string): void {
  expect(seen).not.toContain(TOKEN)
  expect(seen).not.toContain(FILE_SECRET)
  expect(seen).not.toContain('SENTINEL')
  expect(existsSync(canary)).toBe(false)
}

let tried = 0
let leaked = 0

describe.each(NAMES)('override %s', (name) => {
  it.each(TEXT_ATTACKS)('%s: refused, nothing leaks', async (_label, source) => {
    const overrideDir = await mkdtemp(join(dir, 'o-'))
    await writeFile(join(overrideDir, name), source())
    const { seen, error } = await attempt(overrideDir)
    tried++
    if (seen.includes(TOKEN) || seen.includes(FILE_SECRET)) leaked++
    expectNoLeak(seen)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain(`${join(overrideDir, name)}:`)
  })

  it.each(FILE_ATTACKS)('%s: refused, nothing leaks', async (_label, plant) => {
    const overrideDir = await mkdtemp(join(dir, 'o-'))
    await plant(join(overrideDir, name))
    const { seen, error } = await attempt(overrideDir)
    tried++
    if (seen.includes(TOKEN) || seen.includes(FILE_SECRET)) leaked++
    expectNoLeak(seen)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain(join(overrideDir, name))
  })
})

// The count, once every attack ran (in whatever order): each tried, none leaked.
afterAll(() => {
  expect(tried, 'override attacks tried').toBe(NAMES.length * (TEXT_ATTACKS.length + FILE_ATTACKS.length))
  expect(leaked, 'override attacks that leaked').toBe(0)
})
