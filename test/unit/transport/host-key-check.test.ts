import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkHostKey, hostKeyAlgorithms } from '../../../src/transport/host-key-check.js'
import { fingerprint, parseKnownHosts } from '../../../src/transport/known-hosts.js'

// Synthetic key blobs are enough here: only the type prefix and the bytes matter.
function blob(type: string, fill: number): Buffer {
  const name = Buffer.from(type)
  const head = Buffer.alloc(4)
  head.writeUInt32BE(name.length)
  return Buffer.concat([head, name, Buffer.alloc(32, fill)])
}
const ed = blob('ssh-ed25519', 1)
const other = blob('ssh-ed25519', 2)
const rsa = blob('ssh-rsa', 3)
const dir = mkdtempSync(join(tmpdir(), 'authctl-hkc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const entries = parseKnownHosts(
  [`[h]:2222 ssh-ed25519 ${ed.toString('base64')}`, `r ssh-rsa ${rsa.toString('base64')}`, `@revoked * ssh-ed25519 ${other.toString('base64')}`].join('\n'),
)

describe('checkHostKey', () => {
  const policy = { knownHostsPath: '/k/known hosts', acceptNew: false }

  it('accepts a matching key with its fingerprint', async () => {
    expect(await checkHostKey(entries, policy, 'h', 2222, ed)).toEqual({ fingerprint: fingerprint(ed) })
  })

  it('words a changed key with file:line and a quoted ssh-keygen -R', async () => {
    const outcome = await checkHostKey(parseKnownHosts(`[h]:2222 ssh-ed25519 ${ed.toString('base64')}`), policy, 'h', 2222, other)
    expect(outcome.refusal?.message).toBe(
      `host key of h port 2222 has CHANGED: it now presents ssh-ed25519 ${fingerprint(other)}, but /k/known hosts:1 holds a different key ` +
        '(someone may be intercepting the connection, or the host was rebuilt); refusing to connect',
    )
    expect(outcome.refusal?.hint).toBe(`verify the new fingerprint out of band, then remove the old line with: ssh-keygen -R '[h]:2222' -f '/k/known hosts'`)
  })

  it('refuses an unknown key unless acceptNew, which appends it', async () => {
    const refused = await checkHostKey(entries, policy, 'new', 22, ed)
    expect(refused.refusal?.message).toBe(
      `host key of new port 22 (ssh-ed25519 ${fingerprint(ed)}) is not in /k/known hosts: verify it and run with --accept-new-host-keys, or add it with ssh-keyscan`,
    )
    const file = join(dir, 'kh')
    const accepted = await checkHostKey(entries, { knownHostsPath: file, acceptNew: true }, 'new', 22, ed)
    expect(accepted).toEqual({ fingerprint: fingerprint(ed), appended: true })
    expect(readFileSync(file, 'utf8')).toBe(`new ssh-ed25519 ${ed.toString('base64')}\n`)
  })

  it('refuses a revoked key even with acceptNew', async () => {
    const outcome = await checkHostKey(entries, { ...policy, acceptNew: true }, 'any', 22, other)
    expect(outcome.refusal?.message).toContain('is marked @revoked in /k/known hosts:3')
  })
})

describe('hostKeyAlgorithms', () => {
  it('puts the known key types first, RSA as its SHA-2 signatures', () => {
    expect(hostKeyAlgorithms(entries, 'r', 22).slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519'])
    expect(hostKeyAlgorithms(entries, 'h', 2222)[0]).toBe('ssh-ed25519')
    expect(hostKeyAlgorithms(entries, 'unknown', 22)).toEqual([
      'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
    ])
  })
})
