import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { resolveCredentials } from '../../../src/transport/ssh-auth.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authctl-auth-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '2', '-N', 'pw', '-f', join(dir, 'enc')])
  writeFileSync(join(dir, 'garbage'), 'not a key\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const resolve = (t: { privateKeyFile?: string; agentSocket?: string; passphrase?: string }, env: NodeJS.ProcessEnv = {}) =>
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
    expect(creds.methods).toEqual([
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
