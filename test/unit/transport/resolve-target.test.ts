// One inventory host → ResolvedTarget: inventory variables as ssh's command line (they win), the fixture
// ~/.ssh/config below them, jump chains resolved through the config, and the refusals.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { loadSshConfig, resolveTarget, type TargetInput } from '../../../src/transport/resolve-target.js'
import type { SshConfig } from '../../../src/transport/ssh-config.js'
import { copyFixtureHome, scratchHome } from './ssh-config-fixture.js'

// Copied at collection time: the case table below needs the path.
const H = copyFixtureHome()
let config: SshConfig
const run = (input: TargetInput, allow = false) => resolveTarget(input, config, { localUser: 'me', homeDir: H, allowInsecureHostKeys: allow, localHostName: 'box' })
const bastion = () => ({ host: '127.0.0.10', port: 2222, user: 'jump', identityFiles: [`${H}/.ssh/bastion_key`], strictHostKeyChecking: 'accept-new' })

beforeAll(async () => {
  config = await loadSshConfig(join(H, '.ssh', 'config'), { homeDir: H })
})

async function scratch(text: string): Promise<{ home: string; cfg: SshConfig }> {
  const home = scratchHome({ config: text })
  return { home, cfg: await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home }) }
}

describe('resolveTarget on the fixture config', () => {
  it('Host authentik-* supplies user, keys (tokens expanded), IdentitiesOnly and the bastion hop resolved through its own block', () => {
    expect(run({ name: 'authentik-1' })).toEqual({
      name: 'authentik-1', host: 'authentik-1.internal.example', port: 22, user: 'early',
      identityFiles: [`${H}/.ssh/authentik_early`, `${H}/.ssh/shared_key`], identitiesOnly: true,
      jumps: [{ ...bastion(), identitiesOnly: false, knownHostsFiles: [`${H}/.ssh/known_hosts`, `${H}/.ssh/known_hosts2`] }],
      knownHostsFiles: [`${H}/.ssh/known_hosts`, `${H}/.ssh/known_hosts2`], strictHostKeyChecking: 'yes', serverAliveIntervalS: 30, warnings: [],
    })
  })

  it.each<[string, TargetInput, Record<string, unknown>]>([
    ['inventory user/port/key win; config keys follow', { name: 'authentik-1', ansibleUser: 'inv', ansiblePort: 2201, privateKeyFile: '/keys/inv' }, { user: 'inv', port: 2201, identityFiles: ['/keys/inv', `${H}/.ssh/authentik_inv`, `${H}/.ssh/shared_key`] }],
    ['ansible_host is what ssh matches (as Ansible passes it)', { name: 'authentik-1', ansibleHost: '127.0.0.5' }, { host: '127.0.0.5', user: 'fallback', jumps: [], identityFiles: [] }],
    ['ansible_host naming a config alias', { name: 'x', ansibleHost: 'authentik-3' }, { host: 'authentik-3.internal.example', port: 2203, user: 'deploy' }],
    ['negated pattern skips HostName', { name: 'authentik-9' }, { host: 'authentik-9' }],
    ['ansible_user beats common args which beat extra args', { name: 'z', ansibleUser: 'inv', sshCommonArgs: '-o User=common', sshExtraArgs: '-o User=extra' }, { user: 'inv' }],
    ['common args beat extra args', { name: 'z', sshCommonArgs: '-l common', sshExtraArgs: '-o User=extra' }, { user: 'common' }],
    ['ansible_port beats -p', { name: 'z', ansiblePort: 2, sshCommonArgs: '-p 3' }, { port: 2 }],
    ['args beat the config', { name: 'bastion', sshCommonArgs: '-o Port=2300 -o HostName=127.0.0.77' }, { host: '127.0.0.77', port: 2300, user: 'jump' }],
    ['-o ProxyJump=none beats the config ProxyJump', { name: 'authentik-1', sshCommonArgs: '-o ProxyJump=none' }, { jumps: [] }],
    ['-J replaces the config jump', { name: 'authentik-1', sshExtraArgs: '-J ops@127.0.0.9:22' }, { jumps: [expect.objectContaining({ host: '127.0.0.9', port: 22, user: 'ops', identityFiles: [] })] }],
    ['ProxyCommand ssh -W in args maps to a hop', { name: 'z', sshCommonArgs: '-o ProxyCommand="ssh -W %h:%p -q ops@bastion"' }, { jumps: [expect.objectContaining({ ...bastion(), user: 'ops' })] }],
    ['ProxyCommand -i key goes to the hop, before its config keys', { name: 'z', sshCommonArgs: '-o ProxyCommand="ssh -i ~/.ssh/jk -W %h:%p bastion"' }, { identityFiles: [], jumps: [expect.objectContaining({ ...bastion(), identityFiles: [`${H}/.ssh/jk`, `${H}/.ssh/bastion_key`] })] }],
    ['ProxyCommand ssh -W in the config', { name: 'legacy' }, { jumps: [expect.objectContaining({ ...bastion(), user: 'ops' })] }],
    ['ProxyCommand with -p', { name: 'legacy-port' }, { jumps: [expect.objectContaining({ ...bastion(), port: 2022 })] }],
    ['ProxyCommand none blocks a later ProxyJump', { name: 'legacy-first' }, { jumps: [] }],
    ['ProxyJump none', { name: 'direct-a' }, { jumps: [] }],
    ['a jump host that itself jumps', { name: 'inner' }, { host: '127.0.0.11', jumps: [expect.objectContaining(bastion())] }],
    ['two hops, the first with user and port, each resolved like ssh -J does', { name: 'deep' }, { jumps: [expect.objectContaining(bastion()), expect.objectContaining({ host: '127.0.0.11', port: 2200, user: 'alice', identityFiles: [] }), expect.objectContaining(bastion())] }],
    ['UserKnownHostsFile (first line, tokens) and accept-new', { name: 'known' }, { knownHostsFiles: [`${H}/.ssh/kh_known`, '/etc/kh'], strictHostKeyChecking: 'accept-new' }],
    ['ConnectTimeout and the first ServerAliveInterval', { name: 'timeouts' }, { connectTimeoutS: 60, serverAliveIntervalS: 15 }],
    ['Include from conf.d (sorted), first wins', { name: 'included-b' }, { host: 'included.example', port: 2022, user: 'inc' }],
    ['Match final second pass', { name: 'finalalias' }, { host: 'final.example', port: 4004, identityFiles: [`${H}/.ssh/final_key`] }],
    ['Match host after HostName', { name: 'alias10' }, { user: 'tenant' }],
    ['Match originalhost + user in the final pass', { name: 'm1' }, { port: 3001, user: 'deploy' }],
    ['quoted user', { name: 'QuotedUser' }, { host: 'quoteduser', user: 'two words' }],
  ])('%s', (_label, input, expected) => {
    expect(run(input)).toMatchObject(expected)
  })

  it('without a config: ssh defaults (local user, port 22, default known_hosts, strict yes)', () => {
    expect(resolveTarget({ name: 'h' }, undefined, { localUser: 'me', homeDir: '/home/me' })).toEqual({
      name: 'h', host: 'h', port: 22, user: 'me', identityFiles: [], identitiesOnly: false, jumps: [],
      knownHostsFiles: ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2'], strictHostKeyChecking: 'yes', warnings: [],
    })
  })
})

describe('refusals', () => {
  it('an unknown -o option names the host and the option', () => {
    expect(() => run({ name: 'authentik-1', sshCommonArgs: '-o ControlPersist=60s' })).toThrow(
      'host authentik-1: ansible_ssh_common_args: unsupported ssh option -o ControlPersist=60s',
    )
    expect(() => run({ name: 'authentik-1', sshExtraArgs: '-C' })).toThrow('host authentik-1: ansible_ssh_extra_args: unsupported ssh option -C')
  })

  it('a ProxyJump loop through the config is detected', async () => {
    const { home, cfg } = await scratch('Host x\n ProxyJump a\nHost a\n ProxyJump b\nHost b\n ProxyJump a\n')
    expect(() => resolveTarget({ name: 'x' }, cfg, { localUser: 'me', homeDir: home })).toThrow('ProxyJump loop: x -> a -> b -> a')
  })

  it('an unsupported ProxyCommand is an error only for hosts that use it, naming path:line', async () => {
    const { home, cfg } = await scratch('Host x\n ProxyCommand nc %h %p\n')
    expect(() => resolveTarget({ name: 'x' }, cfg, { localUser: 'me', homeDir: home })).toThrow(/config:2: unsupported ProxyCommand "nc %h %p"/)
    expect(resolveTarget({ name: 'y' }, cfg, { localUser: 'me', homeDir: home }).jumps).toEqual([])
  })

  it.each([
    ['Host x\n StrictHostKeyChecking no\n', 'x', 'host x (CFG:2): StrictHostKeyChecking=no'],
    ['Host x\n ProxyJump j\nHost j\n StrictHostKeyChecking off\n', 'x', 'jump host j (CFG:4): StrictHostKeyChecking=no'],
  ])('StrictHostKeyChecking=no from the config is refused, or allowed with a warning: %j', async (text, name, prefix) => {
    const { home, cfg } = await scratch(text)
    const where = prefix.replace('CFG', join(home, '.ssh', 'config'))
    expect(() => resolveTarget({ name }, cfg, { localUser: 'me', homeDir: home })).toThrow(`${where} would accept any host key`)
    const target = resolveTarget({ name }, cfg, { localUser: 'me', homeDir: home, allowInsecureHostKeys: true })
    expect(target.warnings).toEqual([`${where}: keys of hosts missing from known_hosts are NOT verified (forced by --insecure-ignore-host-keys); changed keys are still refused`])
  })

  it('StrictHostKeyChecking=no in args warns once when allowed', () => {
    const target = run({ name: 'z', sshCommonArgs: '-o StrictHostKeyChecking=no' }, true)
    expect(target.strictHostKeyChecking).toBe('no')
    expect(target.warnings).toHaveLength(1)
    expect(() => run({ name: 'z', sshCommonArgs: '-o StrictHostKeyChecking=no' })).toThrow(ConfigError)
  })
})
