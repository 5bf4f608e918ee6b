// ansible_ssh_common_args / ansible_ssh_extra_args: what becomes a setting, and what is refused with the host named.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { parseSshArgs, SUPPORTED_SSH_ARGS_HINT } from '../../../src/transport/ssh-args.js'

const ctx = { host: 'authentik-1', variable: 'ansible_ssh_common_args' }
const settings = (text: string, allow = false) => parseSshArgs(text, { ...ctx, allowInsecureHostKeys: allow }).options.map(({ key, value }) => ({ [key]: value }))

function rejection(text: string, allow = false): ConfigError {
  let error: unknown
  try {
    parseSshArgs(text, { ...ctx, allowInsecureHostKeys: allow })
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('parseSshArgs', () => {
  it.each([
    ['-o ProxyJump=ops@bastion:2222', [{ proxyJump: [{ user: 'ops', host: 'bastion', port: 2222 }] }]],
    ['-o "ProxyJump a,b"', [{ proxyJump: [{ host: 'a' }, { host: 'b' }] }]],
    ['-oUser=deploy', [{ user: 'deploy' }]],
    ['-o "User deploy"', [{ user: 'deploy' }]],
    ['-J a,u@b:2', [{ proxyJump: [{ host: 'a' }, { user: 'u', host: 'b', port: 2 }] }]],
    ['-Jjump', [{ proxyJump: [{ host: 'jump' }] }]],
    ['-p 2222 -l bob -i ~/.ssh/k', [{ port: 2222 }, { user: 'bob' }, { identityFile: '~/.ssh/k' }]],
    ['-p2222', [{ port: 2222 }]],
    ['-o ProxyCommand="ssh -W %h:%p -q user@bastion"', [{ proxyCommand: 'ssh -W %h:%p -q user@bastion' }]],
    ["-o 'ProxyCommand=ssh -W %h:%p -p 2022 bastion'", [{ proxyCommand: 'ssh -W %h:%p -p 2022 bastion' }]],
    ['-o UserKnownHostsFile=/etc/kh', [{ userKnownHostsFile: ['/etc/kh'] }]],
    ['-o StrictHostKeyChecking=yes -o StrictHostKeyChecking=accept-new', [{ strictHostKeyChecking: 'yes' }, { strictHostKeyChecking: 'accept-new' }]],
    ['-o IdentitiesOnly=yes -o ServerAliveInterval=15 -o ConnectTimeout=1m', [{ identitiesOnly: true }, { serverAliveInterval: 15 }, { connectTimeout: 60 }]],
    ['-o HostName=10.0.0.5 -o Port=2200', [{ hostName: '10.0.0.5' }, { port: 2200 }]],
    ['  ', []],
  ])('%s', (text, expected) => expect(settings(text)).toEqual(expected))

  it.each([
    ['-o ControlPersist=60s', 'host authentik-1: ansible_ssh_common_args: unsupported ssh option -o ControlPersist=60s'],
    ['-o ControlMaster=auto -o User=x', 'unsupported ssh option -o ControlMaster=auto'],
    ['-C', 'unsupported ssh option -C'],
    ['-A', 'unsupported ssh option -A'],
    ['-vvv', 'unsupported ssh option -vvv'],
    ['somehost', 'unsupported ssh option somehost'],
    ['-o Host=x', 'unsupported ssh option -o Host=x'],
    ['-o Include=/x', 'unsupported ssh option -o Include=/x'],
    ['-p', 'unsupported ssh option -p (missing its argument)'],
    ['-p 0', 'unsupported ssh option -p 0 (bad port)'],
    ['-J a@', 'unsupported ssh option -J a@ (not a [user@]host[:port] list)'],
    ['-J a -J b', 'unsupported ssh option -J b (only a single -J is permitted)'],
    // As with ssh itself, `-o User deploy` is `-o User` followed by a destination word.
    ['-o User deploy', 'host authentik-1: ansible_ssh_common_args: no argument after keyword "User"'],
    ['-o Port=x', 'host authentik-1: ansible_ssh_common_args: Bad port "x"'],
    ['-o ProxyCommand="nc %h %p"', 'host authentik-1: ansible_ssh_common_args: unsupported ProxyCommand "nc %h %p": it does not run ssh'],
    ['-o ProxyCommand="ssh -W %h:22 b"', 'it must forward with -W %h:%p'],
    ['-o ProxyCommand="ssh -A -W %h:%p b"', 'option -A is not understood'],
    ['-o ProxyCommand="ssh -W %h:%p a b"', 'unexpected argument "b"'],
    ['-o ProxyCommand="ssh -W %h:%p %r@b"', 'it must name one jump host'],
    ['-o "User=unterminated', 'host authentik-1: ansible_ssh_common_args: no closing quotation'],
  ])('%s is refused: %s', (text, message) => {
    expect(rejection(text).message).toContain(message)
  })

  it('the hint lists what is supported', () => {
    expect(rejection('-o ControlPersist=60s').hint).toBe(SUPPORTED_SSH_ARGS_HINT)
    expect(SUPPORTED_SSH_ARGS_HINT).toMatch(/-J, -p, -l, -i and -o HostName\|User\|Port\|IdentityFile\|IdentitiesOnly\|ProxyJump\|ProxyCommand\|UserKnownHostsFile\|StrictHostKeyChecking\|ServerAliveInterval\|ConnectTimeout/)
  })

  it.each(['-o StrictHostKeyChecking=no', '-o StrictHostKeyChecking=off', '-oStrictHostKeyChecking=false'])('%s is refused without the force flag, allowed with a warning', (text) => {
    expect(rejection(text).message).toBe('host authentik-1: ansible_ssh_common_args: StrictHostKeyChecking=no would accept any host key')
    const allowed = parseSshArgs(text, { ...ctx, allowInsecureHostKeys: true })
    expect(allowed.options).toMatchObject([{ key: 'strictHostKeyChecking', value: 'no' }])
    expect(allowed.warnings).toEqual(['host authentik-1: ansible_ssh_common_args: StrictHostKeyChecking=no: keys of hosts missing from known_hosts are NOT verified (forced by --insecure-ignore-host-keys); changed keys are still refused'])
  })

  it('a plain # is data, not a comment (Ansible uses shlex.split without comments)', () => {
    expect(settings('-o User=a#b')).toEqual([{ user: 'a#b' }])
  })
})
