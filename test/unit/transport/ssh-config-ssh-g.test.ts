// Fidelity proof: for every fixture host (and a few command lines), our resolution of the config must
// equal what the real `ssh -G` prints for HostName, User, Port, IdentityFile, ProxyJump/ProxyCommand & co.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSshArgs } from '../../../src/transport/ssh-args.js'
import { loadSshConfig } from '../../../src/transport/ssh-config.js'
import { finalHost, resolveHostOptions, type SshOptions } from '../../../src/transport/ssh-config-resolve.js'
import { expandPath } from '../../../src/transport/ssh-config-tokens.js'
import { copyFixtureHome } from './ssh-config-fixture.js'

const SSH = '/usr/bin/ssh'
const FIELDS = ['hostname', 'user', 'port', 'identityfile', 'identitiesonly', 'proxyjump', 'proxycommand', 'connecttimeout', 'serveraliveinterval', 'userknownhostsfile', 'stricthostkeychecking']
const DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `~/.ssh/${k}`)
const STRICT_G: Record<string, string> = { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' }

// `ssh -G` lines for the fields we model, multi-valued ones joined with ` | `.
function sshG(config: string, argv: string[]): Record<string, string> {
  const out = execFileSync(SSH, ['-G', '-F', config, ...argv], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] })
  const fields: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const [key, ...rest] = line.split(' ')
    if (key === undefined || !FIELDS.includes(key)) continue
    fields[key] = fields[key] === undefined ? rest.join(' ') : `${fields[key]} | ${rest.join(' ')}`
  }
  return fields
}

function hop(h: { user?: string; host: string; port?: number }): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host
  return `${h.user === undefined ? '' : `${h.user}@`}${host}${h.port === undefined ? '' : `:${h.port}`}`
}

// The same fields from our resolution, printed the way ssh -G prints them (IdentityFile unexpanded, as ssh does).
function ours(o: SshOptions, destination: string, localUser: string, homeDir: string): Record<string, string> {
  const host = finalHost(o, destination)
  const user = o.user?.value ?? localUser
  const port = o.port?.value ?? 22
  const tokens = { homeDir, localUser, host, originalHost: destination, remoteUser: user, port }
  const known = o.userKnownHostsFiles
  const fields: Record<string, string> = {
    hostname: host, user, port: String(port),
    identityfile: (o.identityFiles.length === 0 ? DEFAULT_KEYS : o.identityFiles.map((f) => f.value)).join(' | '),
    identitiesonly: o.identitiesOnly?.value ? 'yes' : 'no',
    connecttimeout: o.connectTimeout === undefined ? 'none' : String(o.connectTimeout.value),
    serveraliveinterval: String(o.serverAliveInterval?.value ?? 0),
    userknownhostsfile: known === undefined ? `${homeDir}/.ssh/known_hosts ${homeDir}/.ssh/known_hosts2` : known.value.map((f) => expandPath(f, tokens, known.origin)).join(' '),
    stricthostkeychecking: STRICT_G[o.strictHostKeyChecking?.value ?? 'ask'] ?? '',
  }
  const jump = o.proxyJump?.value
  if (jump !== undefined && jump !== 'none') fields.proxyjump = jump.map(hop).join(',')
  else if (o.proxyCommand !== undefined && o.proxyCommand.value !== 'none') fields.proxycommand = o.proxyCommand.value
  return fields
}

const CASES: Array<[string, string[]]> = [
  ['authentik-1', []], ['authentik-3', []], ['authentik-4', []], ['authentik-9', []], ['authentik-10', []],
  ['bastion', []], ['inner', []], ['deep', []], ['legacy', []], ['legacy-port', []], ['legacy-first', []],
  ['direct-a', []], ['QuotedUser', []], ['m1', []], ['m2', []], ['alias10', []], ['alias9', []], ['Key-equals', []],
  ['timeouts', []], ['known', []], ['finalalias', []], ['included-a', []], ['included-b', []], ['unknown.example', []],
  ['authentik-1', ['-p', '2200', '-l', 'bob']],
  ['authentik-3', ['-o', 'User=cli', '-J', 'x@y:1,z']],
  ['inner', ['-oPort=2', '-o', 'ProxyJump none']],
  ['legacy', ['-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/tmp/kh']],
]

describe('resolution matches `ssh -G` on the fixture config', () => {
  const home = copyFixtureHome(true)
  const config = join(home, '.ssh', 'config')
  const localUser = userInfo().username
  const realHome = userInfo().homedir

  it('ssh is installed (openssh-client comes with the openssh-server the test bed needs)', () => {
    expect(existsSync(SSH)).toBe(true)
  })

  it.each(CASES)('%s %j', async (destination, argv) => {
    const cfg = await loadSshConfig(config, { homeDir: home })
    const cmdline = parseSshArgs(argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' '), { host: destination, variable: 'argv' }).options
    const o = resolveHostOptions(cfg, destination, { localUser, cmdline })
    expect(ours(o, destination, localUser, realHome)).toEqual(sshG(config, [...argv, destination]))
  })
})
