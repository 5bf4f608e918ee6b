// Inventory host → SSH target: the ssh config under inventory variables, the run's flags over the
// config's host-key settings, timeouts in ms, and every configuration error before connecting.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { defaultIdentityFiles, hostKeyPolicy, planSshTargets } from '../../../src/transport/ssh-targets.js'

const dir = mkdtempSync(join(tmpdir(), 'authctl-plan-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const config = join(dir, 'config')
writeFileSync(
  config,
  [
    'Host authentik-*', '  User deploy', '  IdentityFile ~/.ssh/deploy', '  ProxyJump ops@bastion:2200', '  ServerAliveInterval 5', '  ConnectTimeout 7',
    '  UserKnownHostsFile ~/.ssh/fleet_hosts ~/.ssh/more_hosts', '  StrictHostKeyChecking accept-new',
    'Host bastion', '  HostName 127.0.0.9', '  IdentityFile ~/.ssh/ops', '  IdentitiesOnly yes',
    'Host loose', '  StrictHostKeyChecking no',
    '',
  ].join('\n'),
)
const base = { env: { SSH_AUTH_SOCK: '/run/agent' }, homeDir: '/home/op', localUser: 'op', sshConfig: config, acceptNew: false }

describe('planSshTargets', () => {
  it('the config supplies user, key, jump and timers; inventory variables win', async () => {
    const plan = await planSshTargets([{ name: 'authentik-1', ansibleUser: 'ec2-user', ansiblePort: 2022 }], base)
    expect(plan.configPath).toBe(config)
    expect(plan.targets).toEqual([
      {
        name: 'authentik-1', host: 'authentik-1', port: 2022, user: 'ec2-user', identityFiles: ['/home/op/.ssh/deploy'], identitiesOnly: false,
        defaultIdentityFiles: defaultIdentityFiles('/home/op'), agentSocket: '/run/agent',
        hostKeys: { knownHostsPath: '/home/op/.ssh/fleet_hosts', knownHostsFiles: ['/home/op/.ssh/fleet_hosts', '/home/op/.ssh/more_hosts'], acceptNew: true, insecure: false },
        readyTimeoutMs: 7000, keepaliveIntervalMs: 5000,
        jumps: [
          {
            host: '127.0.0.9', port: 2200, user: 'ops', identityFiles: ['/home/op/.ssh/ops'], identitiesOnly: true, agentSocket: '/run/agent',
            defaultIdentityFiles: defaultIdentityFiles('/home/op'), readyTimeoutMs: 7000, keepaliveIntervalMs: 5000,
            hostKeys: { knownHostsPath: '/home/op/.ssh/known_hosts', knownHostsFiles: ['/home/op/.ssh/known_hosts', '/home/op/.ssh/known_hosts2'], acceptNew: false, insecure: false },
          },
        ],
      },
    ])
  })

  it('--known-hosts replaces every endpoint\'s files; --accept-new-host-keys applies everywhere', async () => {
    const plan = await planSshTargets([{ name: 'authentik-1' }], { ...base, knownHosts: '/k', acceptNew: true })
    const target = plan.targets[0]
    expect(target?.hostKeys).toEqual({ knownHostsPath: '/k', knownHostsFiles: ['/k'], acceptNew: true, insecure: false })
    expect(target?.jumps?.[0]?.hostKeys).toEqual({ knownHostsPath: '/k', knownHostsFiles: ['/k'], acceptNew: true, insecure: false })
  })

  it('StrictHostKeyChecking no is a ConfigError unless forced; forced it is insecure with one warning', async () => {
    await expect(planSshTargets([{ name: 'loose' }], base)).rejects.toThrow(ConfigError)
    const plan = await planSshTargets([{ name: 'loose' }, { name: 'loose' }], { ...base, insecureHostKeys: true })
    expect(plan.targets[0]?.hostKeys?.insecure).toBe(true)
    expect(plan.warnings).toEqual([`host loose (${config}:14): StrictHostKeyChecking=no: keys of hosts missing from known_hosts are NOT verified (forced by --insecure-ignore-host-keys); changed keys are still refused`])
  })

  it('an unknown -o option is a ConfigError naming host and option; a missing -F file too', async () => {
    await expect(planSshTargets([{ name: 'a' }, { name: 'b', sshExtraArgs: '-o ControlMaster=auto' }], base)).rejects.toThrow(
      'host b: ansible_ssh_extra_args: unsupported ssh option -o ControlMaster=auto',
    )
    await expect(planSshTargets([{ name: 'a' }], { ...base, sshConfig: join(dir, 'missing') })).rejects.toThrow(/cannot read ssh config/)
  })

  it('AUTHCTL_SSH_CONFIG is read when -F is absent; "none" reads no config', async () => {
    const viaEnv = await planSshTargets([{ name: 'authentik-1' }], { ...base, sshConfig: undefined, env: { AUTHCTL_SSH_CONFIG: config } })
    expect(viaEnv.targets[0]?.user).toBe('deploy')
    const none = await planSshTargets([{ name: 'authentik-1' }], { ...base, sshConfig: 'none' })
    expect(none.targets[0]).toMatchObject({ user: 'op', port: 22, jumps: [], identityFiles: [] })
  })

  it('UserKnownHostsFile none knows nothing and records nowhere', () => {
    expect(hostKeyPolicy({ knownHostsFiles: [], strictHostKeyChecking: 'yes' }, { acceptNew: false })).toEqual({ knownHostsPath: '/dev/null', knownHostsFiles: [], acceptNew: false, insecure: false })
  })
})
