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

describe('checkHostKey for hosts under @cert-authority', () => {
  const ca = blob('ssh-ed25519', 9)
  const caEntries = parseKnownHosts(`# CA\n@cert-authority *.fleet.test,[*.fleet.test]:* ssh-ed25519 ${ca.toString('base64')}\n`).map((e) => ({ ...e, file: '/k/fleet' }))

  it.each([
    ['strict', { acceptNew: false }],
    ['accept-new', { acceptNew: true }],
    ['StrictHostKeyChecking=no', { acceptNew: false, insecure: true }],
  ])('refuses the plain key of a CA host (%s): no trust on first use, nothing written', async (_mode, mode) => {
    const file = join(dir, `ca-${_mode}`)
    const outcome = await checkHostKey(caEntries, { knownHostsPath: file, ...mode }, 'web.fleet.test', 2200, ed)
    expect(outcome).toEqual({
      fingerprint: fingerprint(ed),
      refusal: {
        message:
          'host web.fleet.test port 2200 is listed under @cert-authority in /k/fleet:2, but authctl cannot verify SSH host certificates; ' +
          `refusing to trust the plain key it presents (ssh-ed25519 ${fingerprint(ed)}) on first use`,
        hint:
          "compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then add its plain key beside the CA line: " +
          'ssh-keyscan -p 2200 -t ed25519 web.fleet.test >> /k/fleet',
      },
    })
    expect(() => readFileSync(file)).toThrow(/ENOENT/)
  })

  it('names the key file of an RSA or ECDSA host in the hint', async () => {
    const outcome = await checkHostKey(caEntries, { knownHostsPath: '/k/fleet', acceptNew: false }, 'db.fleet.test', 22, rsa)
    expect(outcome.refusal?.hint).toContain('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub')
    expect(outcome.refusal?.hint).toContain('ssh-keyscan -p 22 -t rsa db.fleet.test')
  })

  it('accepts a plain key listed beside the CA line, and refuses a different one as changed', async () => {
    const both = [...caEntries, ...parseKnownHosts(`web.fleet.test ssh-ed25519 ${ed.toString('base64')}`)]
    expect(await checkHostKey(both, { knownHostsPath: '/k/fleet', acceptNew: false }, 'web.fleet.test', 22, ed)).toEqual({ fingerprint: fingerprint(ed) })
    expect((await checkHostKey(both, { knownHostsPath: '/k/fleet', acceptNew: true }, 'web.fleet.test', 22, other)).refusal?.message).toContain('has CHANGED')
  })

  it('hosts outside the CA pattern are not affected', async () => {
    expect((await checkHostKey(caEntries, { knownHostsPath: '/k/x', acceptNew: false, insecure: true }, 'other.test', 22, ed)).unverified).toBe(true)
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
