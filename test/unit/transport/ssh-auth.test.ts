import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { encryptedKeys, loadCredentials, resolveCredentials } from '../../../src/transport/ssh-auth.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authctl-auth-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '2', '-N', 'pw', '-f', join(dir, 'enc')])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'third')])
  writeFileSync(join(dir, 'garbage'), 'not a key\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const resolve = (t: { privateKeyFile?: string; identityFiles?: string[]; identitiesOnly?: boolean; defaultIdentityFiles?: string[]; agentSocket?: string; passphrase?: string }, env: NodeJS.ProcessEnv = {}) =>
  resolveCredentials({ name: 'web1', ...t }, ssh2.utils, env)

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('resolveCredentials', () => {
  it('uses the key file then the agent from SSH_AUTH_SOCK, in that order', () => {
    const creds = resolve({ privateKeyFile: join(dir, 'plain') }, { SSH_AUTH_SOCK: '/run/agent.sock' })
    expect(creds.methods.map(({ type, label }) => ({ type, label }))).toEqual([
      { type: 'publickey', label: `key file ${join(dir, 'plain')}` },
      { type: 'agent', label: 'ssh-agent at /run/agent.sock' },
    ])
    expect(creds.agent).toBe('/run/agent.sock')
    expect(creds.privateKey?.toString()).toContain('OPENSSH PRIVATE KEY')
  })

  it('an explicit empty agentSocket disables the agent', () => {
    const creds = resolve({ privateKeyFile: join(dir, 'plain'), agentSocket: '' }, { SSH_AUTH_SOCK: '/run/agent.sock' })
    expect(creds.methods.map((m) => m.type)).toEqual(['publickey'])
  })

  it.each([
    [{ privateKeyFile: 'enc' }, 'SSH private key DIR/enc is encrypted and no passphrase was given'],
    [{ privateKeyFile: 'enc', passphrase: 'wrong' }, 'wrong passphrase for SSH private key DIR/enc'],
    [{ privateKeyFile: 'garbage' }, 'SSH private key DIR/garbage is not a usable private key: Unsupported key format'],
  ])('%j → ConfigError %s', (t, message) => {
    const error = configError(() => resolve({ ...t, privateKeyFile: join(dir, t.privateKeyFile) }))
    expect(error.message).toBe(message.replace('DIR', dir))
  })

  it('accepts an encrypted key with its passphrase', () => {
    expect(resolve({ privateKeyFile: join(dir, 'enc'), passphrase: 'pw' }).passphrase).toBe('pw')
  })

  it('a missing key file and no credentials at all are ConfigErrors', () => {
    expect(configError(() => resolve({ privateKeyFile: join(dir, 'missing') })).message).toContain(`cannot read SSH private key ${join(dir, 'missing')}`)
    expect(configError(() => resolve({})).message).toBe('no SSH credentials for host web1: no private key file and no ssh-agent (SSH_AUTH_SOCK is unset)')
  })
})

describe('identity files, defaults, IdentitiesOnly and passphrases', () => {
  const labels = (creds: { methods: Array<{ label: string }> }): string[] => creds.methods.map((m) => m.label)

  it('tries the inventory key, then each IdentityFile in order, then the agent', () => {
    writeFileSync(join(dir, 'second'), '')
    const creds = resolve({ privateKeyFile: join(dir, 'third'), identityFiles: [join(dir, 'plain'), join(dir, 'third')] }, { SSH_AUTH_SOCK: '/run/a.sock' })
    expect(labels(creds)).toEqual([`key file ${join(dir, 'third')}`, `key file ${join(dir, 'plain')}`, 'ssh-agent at /run/a.sock'])
  })

  it('IdentitiesOnly keeps the agent out; with no key left that is a ConfigError saying so', () => {
    const creds = resolve({ identityFiles: [join(dir, 'plain')], identitiesOnly: true }, { SSH_AUTH_SOCK: '/run/a.sock' })
    expect(labels(creds)).toEqual([`key file ${join(dir, 'plain')}`])
    expect(configError(() => resolve({ identitiesOnly: true }, { SSH_AUTH_SOCK: '/run/a.sock' })).message).toBe(
      'no SSH credentials for host web1: no private key file and IdentitiesOnly is set, so ssh-agent is not used',
    )
  })

  it('default identities are used only without configured ones; missing or encrypted defaults are skipped', () => {
    const defaults = [join(dir, 'missing'), join(dir, 'enc'), join(dir, 'plain')]
    const creds = resolve({ defaultIdentityFiles: defaults }, { SSH_AUTH_SOCK: '/run/a.sock' })
    expect(labels(creds)).toEqual([`key file ${join(dir, 'plain')}`, 'ssh-agent at /run/a.sock'])
    expect(creds.skipped).toEqual([`key file ${join(dir, 'enc')} (encrypted, no passphrase given)`])
    expect(labels(resolve({ identityFiles: [join(dir, 'third')], defaultIdentityFiles: defaults }))).toEqual([`key file ${join(dir, 'third')}`])
  })

  it('an encrypted configured key is skipped (not fatal) when the agent may hold it', () => {
    const creds = resolve({ identityFiles: [join(dir, 'enc')] }, { SSH_AUTH_SOCK: '/run/a.sock' })
    expect(labels(creds)).toEqual(['ssh-agent at /run/a.sock'])
    expect(creds.skipped).toEqual([`key file ${join(dir, 'enc')} (encrypted, no passphrase given)`])
  })

  it('loadCredentials asks the passphrase source only for encrypted keys, and uses the answer', async () => {
    let asked = 0
    const source = async (): Promise<string> => {
      asked++
      return 'pw'
    }
    await loadCredentials({ name: 'web1', identityFiles: [join(dir, 'plain')], agentSocket: '' }, ssh2.utils, source, {})
    expect(asked).toBe(0)
    expect(encryptedKeys({ name: 'web1', identityFiles: [join(dir, 'plain'), join(dir, 'enc')] }, ssh2.utils)).toEqual([join(dir, 'enc')])
    const creds = await loadCredentials({ name: 'web1', identityFiles: [join(dir, 'enc')], agentSocket: '' }, ssh2.utils, source, {})
    expect(asked).toBe(1)
    expect(creds.methods).toMatchObject([{ type: 'publickey', file: join(dir, 'enc'), passphrase: 'pw' }])
  })
})
