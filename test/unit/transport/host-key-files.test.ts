// Several known_hosts files per host (UserKnownHostsFile a b): all are read, the first takes appends,
// messages name the file that holds the line; StrictHostKeyChecking=no (forced) accepts unknown keys only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkHostKey, loadPolicyEntries } from '../../../src/transport/host-key-check.js'
import { fingerprint } from '../../../src/transport/known-hosts.js'

function blob(fill: number): Buffer {
  const name = Buffer.from('ssh-ed25519')
  const head = Buffer.alloc(4)
  head.writeUInt32BE(name.length)
  return Buffer.concat([head, name, Buffer.alloc(32, fill)])
}
const served = blob(1)
const old = blob(2)
const dir = mkdtempSync(join(tmpdir(), 'authctl-hkf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const first = join(dir, 'first')
const second = join(dir, 'second')

describe('known_hosts files of a policy', () => {
  it('a key listed only in the second file is accepted; a changed one names that file:line', async () => {
    writeFileSync(first, '# nothing for h\n')
    writeFileSync(second, `# comment\n[h]:2222 ssh-ed25519 ${served.toString('base64')}\n`)
    const policy = { knownHostsPath: first, knownHostsFiles: [first, second], acceptNew: false }
    const entries = await loadPolicyEntries(policy)
    expect(await checkHostKey(entries, policy, 'h', 2222, served)).toEqual({ fingerprint: fingerprint(served) })
    writeFileSync(second, `# comment\n[h]:2222 ssh-ed25519 ${old.toString('base64')}\n`)
    const changed = await checkHostKey(await loadPolicyEntries(policy), policy, 'h', 2222, served)
    expect(changed.refusal?.message).toContain(`but ${second}:2 holds a different key`)
    expect(changed.refusal?.hint).toContain(`-f ${second}`)
  })

  it('an unknown key is appended to the first file only, and the refusal lists every file', async () => {
    writeFileSync(first, '')
    writeFileSync(second, '')
    const strict = { knownHostsPath: first, knownHostsFiles: [first, second], acceptNew: false }
    expect((await checkHostKey([], strict, 'h', 22, served)).refusal?.message).toContain(`is not in ${first} or ${second}:`)
    const outcome = await checkHostKey([], { ...strict, acceptNew: true }, 'h', 22, served)
    expect(outcome).toEqual({ fingerprint: fingerprint(served), appended: true })
    expect(readFileSync(first, 'utf8')).toBe(`h ssh-ed25519 ${served.toString('base64')}\n`)
    expect(readFileSync(second, 'utf8')).toBe('')
  })

  it('insecure accepts an unknown key unverified and writes nothing, but still refuses a changed or @revoked key', async () => {
    writeFileSync(first, `h ssh-ed25519 ${old.toString('base64')}\n`)
    const policy = { knownHostsPath: first, acceptNew: true, insecure: true }
    const entries = await loadPolicyEntries(policy)
    expect(await checkHostKey(entries, policy, 'other', 22, served)).toEqual({ fingerprint: fingerprint(served), unverified: true })
    const changed = await checkHostKey(entries, policy, 'h', 22, served)
    expect(changed.unverified).toBeUndefined()
    expect(changed.refusal?.message).toContain(`host key of h port 22 has CHANGED: it now presents ssh-ed25519 ${fingerprint(served)}, but ${first}:1 holds a different key`)
    expect(changed.refusal?.message).toContain('StrictHostKeyChecking=no (--insecure-ignore-host-keys) only skips the check for hosts known_hosts does not list')
    expect(readFileSync(first, 'utf8')).toBe(`h ssh-ed25519 ${old.toString('base64')}\n`)
    writeFileSync(first, `@revoked * ssh-ed25519 ${served.toString('base64')}\n`)
    expect((await checkHostKey(await loadPolicyEntries(policy), policy, 'h', 22, served)).refusal?.message).toContain('@revoked')
  })
})
