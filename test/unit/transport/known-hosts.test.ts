import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lookupName, matchesHostField } from '../../../src/transport/host-pattern.js'
import {
  appendKnownHost,
  fingerprint,
  keyTypeOf,
  knownKeyTypes,
  loadKnownHosts,
  parseKnownHosts,
  verifyHostKey,
  type KnownHostEntry,
} from '../../../src/transport/known-hosts.js'

// Test vectors come from the real ssh-keygen: keys generated here, files hashed with -H, lookups
// cross-checked with -F.
let dir: string
const keys: Record<'a' | 'b' | 'c' | 'r', { type: string; base64: string; blob: Buffer; pubFile: string }> = {} as never

function makeKey(name: keyof typeof keys, type: 'ed25519' | 'ecdsa'): void {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file])
  const [keyType = '', base64 = ''] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ')
  keys[name] = { type: keyType, base64, blob: Buffer.from(base64, 'base64'), pubFile: `${file}.pub` }
}

// Lines are numbered in the comments so the expectations below can name them. `ssh-keygen -H`
// refuses files with invalid lines, so the hashed variant turns those into comments.
function plainFile(withInvalid = true): string {
  const { a, b, c, r } = keys
  return [
    '# a comment', //                                                          1
    '', //                                                                     2
    `web1.example.com,10.0.0.5 ssh-ed25519 ${a.base64} trailing comment`, //  3
    `[web2.example.com]:2222 ssh-ed25519 ${a.base64}`, //                      4
    `*.glob.test,!bad.glob.test ssh-ed25519 ${b.base64}`, //                   5
    `host?.q.test ${c.type} ${c.base64}`, //                                   6
    `@revoked * ssh-ed25519 ${r.base64}`, //                                   7
    `@cert-authority *.ca.test ssh-ed25519 ${b.base64}`, //                    8
    `[10.1.2.3]:* ssh-ed25519 ${b.base64}`, //                                 9
    `MixedCase.Example.com\t${c.type}  ${c.base64}`, //                        10
    '   \t ', //                                                               11
    `web1.example.com ${c.type} ${c.base64}`, //                               12
    'broken line', //                                                          13
    `bad.key.test ssh-ed25519 ${c.base64}`, //  type does not match the blob   14
    `@weird-marker web1.example.com ssh-ed25519 ${b.base64}`, //               15
    `w:2222 ssh-ed25519 ${b.base64}`, //                                       16
    '',
  ]
    .map((line, i) => (withInvalid || ![12, 13, 14].includes(i) ? line : '# invalid line removed'))
    .join('\n')
}

// The lines `ssh-keygen -F name -f file` reports for a lookup name.
function sshKeygenLines(file: string, name: string): number[] {
  const out = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' }).stdout
  return [...out.matchAll(/found: line (\d+)/g)].map((m) => Number(m[1]))
}

function ourLines(entries: readonly KnownHostEntry[], name: string): number[] {
  return entries.filter((e) => matchesHostField(e.hosts, name)).map((e) => e.line)
}

const queries: Array<[string, number]> = [
  ['web1.example.com', 22],
  ['10.0.0.5', 22],
  ['web2.example.com', 2222],
  ['web2.example.com', 22],
  ['a.glob.test', 22],
  ['bad.glob.test', 22],
  ['host1.q.test', 22],
  ['host12.q.test', 22],
  ['x.ca.test', 22],
  ['10.1.2.3', 2200],
  ['10.1.2.3', 22],
  ['MIXEDCASE.example.com', 22],
  ['w', 2222],
  ['nowhere.test', 22],
]

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authctl-kh-'))
  makeKey('a', 'ed25519')
  makeKey('b', 'ed25519')
  makeKey('c', 'ecdsa')
  makeKey('r', 'ed25519')
  writeFileSync(join(dir, 'plain'), plainFile())
  writeFileSync(join(dir, 'hashed'), plainFile(false))
  execFileSync('ssh-keygen', ['-H', '-f', join(dir, 'hashed')], { stdio: 'ignore' })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('lookupName', () => {
  it.each([
    ['Web1.Example.com', 22, 'web1.example.com'],
    ['web1', 2222, '[web1]:2222'],
    ['127.0.0.2', 40022, '[127.0.0.2]:40022'],
  ])('%s port %d → %s', (host, port, expected) => {
    expect(lookupName(host, port)).toBe(expected)
  })
})

describe('host matching agrees with ssh-keygen -F', () => {
  it.each(queries)('plain file: %s port %d', async (host, port) => {
    const name = lookupName(host, port)
    const entries = await loadKnownHosts(join(dir, 'plain'))
    expect(ourLines(entries, name)).toEqual(sshKeygenLines(join(dir, 'plain'), name))
  })

  it.each(queries)('hashed file: %s port %d', async (host, port) => {
    const name = lookupName(host, port)
    const entries = await loadKnownHosts(join(dir, 'hashed'))
    expect(ourLines(entries, name)).toEqual(sshKeygenLines(join(dir, 'hashed'), name))
  })

  it('the hashed file really is hashed', () => {
    const text = readFileSync(join(dir, 'hashed'), 'utf8')
    expect(text).not.toContain('web1.example.com')
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /m)
  })
})

describe('parseKnownHosts', () => {
  it('keeps valid lines with their line numbers and markers, skips the rest', () => {
    const entries = parseKnownHosts(plainFile())
    expect(entries.map((e) => [e.line, e.marker ?? '', e.hosts, e.keyType])).toEqual([
      [3, '', 'web1.example.com,10.0.0.5', 'ssh-ed25519'],
      [4, '', '[web2.example.com]:2222', 'ssh-ed25519'],
      [5, '', '*.glob.test,!bad.glob.test', 'ssh-ed25519'],
      [6, '', 'host?.q.test', 'ecdsa-sha2-nistp256'],
      [7, 'revoked', '*', 'ssh-ed25519'],
      [8, 'cert-authority', '*.ca.test', 'ssh-ed25519'],
      [9, '', '[10.1.2.3]:*', 'ssh-ed25519'],
      [10, '', 'MixedCase.Example.com', 'ecdsa-sha2-nistp256'],
      [12, '', 'web1.example.com', 'ecdsa-sha2-nistp256'],
      [16, '', 'w:2222', 'ssh-ed25519'],
    ])
    expect(entries[0]?.key.equals(keys.a.blob)).toBe(true)
  })

  it('reads CRLF files and treats a missing file as empty', async () => {
    expect(parseKnownHosts(`h ssh-ed25519 ${keys.a.base64}\r\n`).map((e) => e.hosts)).toEqual(['h'])
    expect(await loadKnownHosts(join(dir, 'does-not-exist'))).toEqual([])
  })
})

describe('verifyHostKey', () => {
  const cases: Array<[string, number, 'a' | 'b' | 'c' | 'r', string, number | undefined]> = [
    ['web1.example.com', 22, 'a', 'match', 3],
    ['10.0.0.5', 22, 'a', 'match', 3],
    ['web1.example.com', 22, 'c', 'match', 12],
    ['web1.example.com', 22, 'b', 'mismatch', 3],
    ['web2.example.com', 2222, 'a', 'match', 4],
    ['web2.example.com', 2222, 'b', 'mismatch', 4],
    ['web2.example.com', 22, 'a', 'unknown', undefined],
    ['a.glob.test', 22, 'b', 'match', 5],
    ['bad.glob.test', 22, 'b', 'unknown', undefined],
    ['host1.q.test', 22, 'c', 'match', 6],
    ['host1.q.test', 22, 'a', 'mismatch', 6],
    ['10.1.2.3', 2200, 'b', 'match', 9],
    ['MIXEDCASE.example.com', 22, 'c', 'match', 10],
    ['anything.test', 22, 'r', 'revoked', 7],
    ['web1.example.com', 22, 'r', 'revoked', 7],
    ['nowhere.test', 22, 'a', 'unknown', undefined],
  ]

  it.each(cases)('plain: %s port %d key %s → %s (line %s)', (host, port, key, status, line) => {
    const verdict = verifyHostKey(parseKnownHosts(plainFile()), host, port, keys[key].blob)
    const { fingerprint: fp, line: got } = verdict
    expect({ status: verdict.status, line: got, fp }).toEqual({ status, line, fp: fingerprint(keys[key].blob) })
  })

  it.each([
    ['web1.example.com', 22, 'a', 'match'],
    ['10.0.0.5', 22, 'a', 'match'],
    ['web1.example.com', 22, 'b', 'mismatch'],
    ['web2.example.com', 2222, 'a', 'match'],
    ['web2.example.com', 22, 'a', 'unknown'],
    ['anything.test', 22, 'r', 'revoked'],
  ] as const)('hashed: %s port %d key %s → %s', async (host, port, key, status) => {
    const verdict = verifyHostKey(await loadKnownHosts(join(dir, 'hashed')), host, port, keys[key].blob)
    expect(verdict.status).toBe(status)
  })

  it('reports the @cert-authority line of a host, never as a match (even for the CA key itself)', () => {
    const verdict = verifyHostKey(parseKnownHosts(plainFile()), 'x.ca.test', 22, keys.b.blob)
    expect(verdict).toEqual({ status: 'unknown', fingerprint: fingerprint(keys.b.blob), certAuthority: { line: 8 } })
    expect(verifyHostKey(parseKnownHosts(plainFile()), 'web1.example.com', 22, keys.a.blob)).not.toHaveProperty('certAuthority')
  })

  it('lists the known key types of a host for algorithm preference', () => {
    const entries = parseKnownHosts(plainFile())
    expect(knownKeyTypes(entries, 'web1.example.com', 22)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256'])
    expect(knownKeyTypes(entries, 'nowhere.test', 22)).toEqual([])
  })
})

describe('fingerprint and key type', () => {
  it.each(['a', 'c'] as const)('fingerprint of key %s equals ssh-keygen -l', (key) => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', keys[key].pubFile], { encoding: 'utf8' })
    expect(out.split(' ')[1]).toBe(fingerprint(keys[key].blob))
  })

  it('reads the key type from the blob and rejects malformed blobs', () => {
    expect(keyTypeOf(keys.c.blob)).toBe('ecdsa-sha2-nistp256')
    expect(keyTypeOf(Buffer.from([0, 0]))).toBeUndefined()
    expect(keyTypeOf(Buffer.from([0, 0, 0, 9, 65]))).toBeUndefined()
  })
})

describe('appendKnownHost', () => {
  it('creates folder and file (0600) and writes a line ssh-keygen -F finds', async () => {
    const file = join(dir, 'new', 'sub', 'known_hosts')
    await appendKnownHost(file, 'Host.Example', 2222, keys.a.blob)
    await appendKnownHost(file, 'plain.example', 22, keys.c.blob)
    expect(readFileSync(file, 'utf8')).toBe(
      `[host.example]:2222 ssh-ed25519 ${keys.a.base64}\nplain.example ${keys.c.type} ${keys.c.base64}\n`,
    )
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700)
    expect(sshKeygenLines(file, '[host.example]:2222')).toEqual([1])
    expect(verifyHostKey(await loadKnownHosts(file), 'host.example', 2222, keys.a.blob).status).toBe('match')
  })

  it('only appends: keeps existing bytes and mode, adds a missing final newline', async () => {
    const file = join(dir, 'existing')
    const before = `# keep me\nold ssh-ed25519 ${keys.b.base64}`
    writeFileSync(file, before, { mode: 0o644 })
    await appendKnownHost(file, 'new', 22, keys.a.blob)
    expect(readFileSync(file, 'utf8')).toBe(`${before}\nnew ssh-ed25519 ${keys.a.base64}\n`)
    expect(statSync(file).mode & 0o777).toBe(0o644)
  })

  it('serialises concurrent appends into whole lines', async () => {
    const file = join(dir, 'concurrent')
    writeFileSync(file, 'x ssh-ed25519 AAAA') // no final newline: every writer would add one if racing
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendKnownHost(file, `h${i}`, 22, keys.a.blob)))
    const lines = readFileSync(file, 'utf8').split('\n')
    expect(lines).toHaveLength(22)
    expect(lines.slice(1, 21).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `h${i} ssh-ed25519 ${keys.a.base64}`).sort())
  })
})
