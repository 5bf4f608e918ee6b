// Reaching hosts the way OpenSSH does, against real sshd: ssh config blocks, ProxyJump over one and two
// hops, shared bastion connections, host keys of hops, encrypted keys and ssh-agent, and `authctl
// ssh-check`. On loopback every connection comes from 127.0.0.1, so sshd's `AllowUsers user@addr`
// cannot tell a jump host from us; network namespaces can: a target whose sshd listens only inside
// namespace A is reachable only from a jump host whose sshd runs in A.
//
//   root ns:  bastion listener 127.0.0.6:P --(each connection: nsenter A, sshd -i)--> bastion in A
//   ns A:     authentik-1 sshd on 127.0.200.24:22; hop2 listener 127.0.200.23:22 --(nsenter B, sshd -i)--> hop2 in B
//   ns B:     authentik-2 sshd on 127.0.200.22:22
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sshConnector } from '../../src/wiring/context.js'
import { ConfigError, UnreachableError } from '../../src/errors.js'
import type { HostConfig } from '../../src/inventory/host-config.js'
import { fingerprint } from '../../src/transport/known-hosts.js'
import type { SshConnection } from '../../src/transport/ssh-types.js'
import { repoRoot } from '../support/testbed/index.js'
import { ensureLoginUser, LOGIN_USER } from '../support/testbed/login-user.js'
import { killAll, processTree } from '../support/testbed/processes.js'
import { accepts } from '../support/testbed/sshd-process.js'
import { runCli } from './support/cli.js'
import { waitFor } from '../support/wait-for.js'

const BASTION_ADDR = '127.0.0.6'
const T1 = '127.0.200.24'
const HOP2 = '127.0.200.23'
const T2 = '127.0.200.22'

let dir: string
let home: string
let bastionPort: number
let bastion: Server | undefined
let bastionConnections = 0
let lastBastionSshd: ChildProcess | undefined
let silent: Server | undefined
let silentPort = 0
const children: ChildProcess[] = []
const keys: Record<string, { file: string; pub: string; blob: Buffer }> = {}

function keygen(name: string, passphrase = ''): void {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '4', '-N', passphrase, '-C', name, '-f', file])
  const pub = readFileSync(`${file}.pub`, 'utf8').trim()
  keys[name] = { file, pub, blob: Buffer.from(pub.split(' ')[1] ?? '', 'base64') }
}

function sshdConfig(name: string, listen?: string): string {
  const file = join(dir, `${name}.sshd_config`)
  const lines = [
    ...(listen ? [`ListenAddress ${listen}:22`, `PidFile ${join(dir, `${name}.pid`)}`] : []),
    `HostKey ${keys[`${name}_host`]?.file}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `AllowUsers ${LOGIN_USER}`,
    'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin no', 'LogLevel VERBOSE', '',
  ]
  writeFileSync(file, lines.join('\n'))
  return file
}

// Spawns a long-running process and resolves once its output contains `ready`.
function startProcess(argv: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} not ready:\n${log}`)), 10_000)
    const onData = (chunk: Buffer): void => {
      log += chunk.toString()
      if (log.includes(ready)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${argv.join(' ')} exited ${code}:\n${log}`))
    })
  })
}

const netns = (child: ChildProcess): string => `/proc/${child.pid}/ns/net`

// An inetd-style relay: each TCP connection becomes `sshd -i` in another namespace, on that socket.
const RELAY = `
import { createServer } from 'node:net'
import { spawn } from 'node:child_process'
const [addr, port, ns, config] = process.argv.slice(2)
const server = createServer({ pauseOnConnect: true }, (sock) => {
  spawn('nsenter', ['--net=' + ns, '/usr/sbin/sshd', '-i', '-e', '-f', config], { stdio: [sock, sock, 'ignore'] })
  sock.destroy()
})
server.listen(Number(port), addr, () => console.log('relay ready'))
`

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authctl-jump-'))
  chmodSync(dir, 0o755) // the login user reads authorized_keys here
  home = join(dir, 'home')
  execFileSync('mkdir', ['-p', join(home, '.ssh')])
  await ensureLoginUser(join(repoRoot, 'test/support/docker-stub'))
  for (const name of ['bastion_host', 'hop2_host', 't1_host', 't2_host', 'wrong_host', 'id_user', 'id_agent']) keygen(name)
  keygen('id_enc', 'open sesame')
  writeFileSync(join(dir, 'authorized_keys'), ['id_user', 'id_agent', 'id_enc'].map((k) => keys[k]?.pub).join('\n') + '\n', { mode: 0o644 })
  writeFileSync(join(dir, 'relay.mjs'), RELAY)
  const up = (cmd: string): string[] => ['unshare', '--net', '/bin/sh', '-c', `ip link set lo up && exec ${cmd}`]
  // Namespace B is held by authentik-2's sshd; namespace A by hop2's relay into B.
  const t2 = await startProcess(up(`/usr/sbin/sshd -D -e -f ${sshdConfig('t2', T2)}`), `Server listening on ${T2} port 22`)
  const nsA = await startProcess(up(`${process.execPath} ${join(dir, 'relay.mjs')} ${HOP2} 22 ${netns(t2)} ${sshdConfig('hop2')}`), 'relay ready')
  await startProcess(['nsenter', `--net=${netns(nsA)}`, '/usr/sbin/sshd', '-D', '-e', '-f', sshdConfig('t1', T1)], `Server listening on ${T1} port 22`)
  const bastionConfig = sshdConfig('bastion')
  bastion = createServer({ pauseOnConnect: true }, (sock) => {
    bastionConnections++
    lastBastionSshd = spawn('nsenter', [`--net=${netns(nsA)}`, '/usr/sbin/sshd', '-i', '-e', '-f', bastionConfig], { stdio: [sock, sock, 'ignore'] })
    children.push(lastBastionSshd)
    sock.destroy()
  })
  await new Promise<void>((resolve) => bastion?.listen(0, BASTION_ADDR, resolve))
  const address = bastion.address()
  bastionPort = typeof address === 'object' && address !== null ? address.port : 0
  // A TCP peer that never speaks SSH, for ConnectTimeout.
  silent = createServer(() => undefined)
  await new Promise<void>((resolve) => silent?.listen(0, BASTION_ADDR, resolve))
  const silentAddress = silent.address()
  silentPort = typeof silentAddress === 'object' && silentAddress !== null ? silentAddress.port : 0
  const line = (host: string, key: string): string => `${host} ${keys[key]?.pub.split(' ').slice(0, 2).join(' ')}\n`
  writeFileSync(join(dir, 'known_hosts'), line(`[${BASTION_ADDR}]:${bastionPort}`, 'bastion_host') + line(HOP2, 'hop2_host') + line(T1, 't1_host') + line(T2, 't2_host'))
  writeFileSync(join(dir, 'known_hosts_bad_bastion'), line(`[${BASTION_ADDR}]:${bastionPort}`, 'wrong_host') + line(T1, 't1_host'))
  writeFileSync(join(dir, 'passphrase'), 'open sesame\n', { mode: 0o600 })
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host bastion', `  HostName ${BASTION_ADDR}`, `  Port ${bastionPort}`,
      'Host hop2', `  HostName ${HOP2}`, '  ProxyJump bastion',
      'Host authentik-1', `  HostName ${T1}`, '  ProxyJump bastion',
      'Host authentik-2', `  HostName ${T2}`, '  ProxyJump bastion,hop2',
      'Host lonely', `  HostName ${T2}`, '  ProxyJump bastion',
      'Host enc-1', `  HostName ${T1}`, `  IdentityFile ${keys.id_enc?.file}`, '  IdentitiesOnly yes', '  ProxyJump bastion',
      'Host agent-1', `  HostName ${T1}`, '  ProxyJump bastion',
      'Host insecure-1', `  HostName ${T1}`, '  ProxyJump bastion', '  StrictHostKeyChecking no', `  UserKnownHostsFile ${join(dir, 'empty_known_hosts')}`,
      'Host silent', `  HostName ${BASTION_ADDR}`, `  Port ${silentPort}`, '  ConnectTimeout 1',
      'Host authentik-* bastion hop2 lonely insecure-1 silent', `  IdentityFile ${keys.id_user?.file}`,
      'Host *', `  User ${LOGIN_USER}`, `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  ConnectTimeout 10',
      '',
    ].join('\n'),
  )
}, 60_000)

afterAll(async () => {
  bastion?.close()
  silent?.close()
  const pids = children.flatMap((c) => (c.pid !== undefined && c.exitCode === null ? processTree(c.pid) : []))
  await killAll(pids)
  rmSync(dir, { recursive: true, force: true })
})

// A HostConfig as the inventory loader makes it for a host with no connection variables.
function inventoryHost(name: string, extra: Partial<HostConfig> = {}): HostConfig {
  return { name, address: name, port: 22, connection: 'ssh', vars: {} as HostConfig['vars'], raw: {}, ...extra }
}

type Connector = Awaited<ReturnType<typeof sshConnector>>
const connectors: Connector[] = []

async function connector(names: string[], extra: Partial<Parameters<typeof sshConnector>[1]> = {}, env: NodeJS.ProcessEnv = {}): Promise<Connector> {
  const c = await sshConnector(names.map((n) => inventoryHost(n)), {
    acceptNew: false, forks: 4, env: { HOME: home, ...env }, sshConfig: join(dir, 'ssh_config'), warn: () => undefined, ...extra,
  })
  connectors.push(c)
  return c
}

async function reach(c: Connector, name: string): Promise<SshConnection> {
  const outcome = (await c.connect([name])).get(name)
  if (!(outcome !== undefined && !(outcome instanceof Error))) throw outcome ?? new Error(`no outcome for ${name}`)
  return outcome as SshConnection
}

async function failure(c: Connector, name: string): Promise<Error> {
  const outcome = (await c.connect([name])).get(name)
  if (!(outcome instanceof Error)) throw new Error(`${name} was reached, expected a failure`)
  return outcome
}

afterAll(async () => {
  await Promise.allSettled(connectors.map((c) => c.close()))
})

describe('ProxyJump through real sshd', () => {
  it('a Host authentik-* block supplies user and key; authentik-1 is reachable only through the bastion', async () => {
    expect(await accepts(T1, 22)).toBe(false)
    const c = await connector(['authentik-1'])
    const host = await reach(c, 'authentik-1')
    expect((await host.exec(['whoami'])).stdout).toBe(`${LOGIN_USER}\n`)
    expect(host.hostKeyFingerprint).toBe(fingerprint(keys.t1_host?.blob as Buffer))
    expect(host.reach).toEqual({
      user: LOGIN_USER, host: T1, port: 22, jumps: [`${LOGIN_USER}@${BASTION_ADDR}:${bastionPort}`],
      auth: { method: 'key-file', file: keys.id_user?.file }, hostKeyVerified: true,
    })
  })

  it('two hops reach a host the bastion itself cannot reach', async () => {
    const c = await connector(['authentik-2', 'lonely'])
    const host = await reach(c, 'authentik-2')
    expect((await host.exec(['echo', 'deep'])).stdout).toBe('deep\n')
    expect(host.hostKeyFingerprint).toBe(fingerprint(keys.t2_host?.blob as Buffer))
    expect(host.reach?.jumps).toEqual([`${LOGIN_USER}@${BASTION_ADDR}:${bastionPort}`, `${LOGIN_USER}@${HOP2}:22`])
    const error = await failure(c, 'lonely')
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toMatch(new RegExp(`^lonely: jump host ${LOGIN_USER}@${BASTION_ADDR}:${bastionPort} cannot open a connection to ${T2}:22: `))
  })

  it('targets behind the same bastion share one connection to it, closed at the end', async () => {
    const before = bastionConnections
    const c = await connector(['authentik-1', 'authentik-2', 'enc-1'], {}, { AUTHCTL_SSH_KEY_PASSPHRASE_FILE: join(dir, 'passphrase') })
    const results = await c.connect(['authentik-1', 'authentik-2', 'enc-1'])
    expect([...results.values()].filter((r) => r instanceof Error)).toEqual([])
    expect(bastionConnections - before).toBe(1)
    const one = results.get('authentik-1') as SshConnection
    const bastionSshd = lastBastionSshd as ChildProcess
    const bastionGone = new Promise<boolean>((resolve) => {
      if (bastionSshd.exitCode !== null) return resolve(true)
      const timer = setTimeout(() => resolve(false), 5_000)
      bastionSshd.once('exit', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    await c.close()
    await expect(one.exec(['true'])).rejects.toBeInstanceOf(UnreachableError)
    // Closing the run also closed the connection to the bastion (its sshd session ended).
    expect(await bastionGone).toBe(true)
  })

  it("a changed host key on the jump host is refused, naming the hop", async () => {
    const c = await connector(['authentik-1'], { knownHosts: join(dir, 'known_hosts_bad_bastion') })
    const error = await failure(c, 'authentik-1')
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toContain(`authentik-1: jump host ${LOGIN_USER}@${BASTION_ADDR}:${bastionPort} (hop 1): host key of ${BASTION_ADDR} port ${bastionPort} has CHANGED`)
    expect(error.message).toContain(fingerprint(keys.bastion_host?.blob as Buffer))
    expect((error as UnreachableError).hint).toContain(`ssh-keygen -R '[${BASTION_ADDR}]:${bastionPort}' -f ${join(dir, 'known_hosts_bad_bastion')}`)
  })
})

describe('keys, agent and host-key policy', () => {
  it('ConnectTimeout bounds the handshake', async () => {
    const started = Date.now()
    const error = await failure(await connector(['silent']), 'silent')
    expect(error.message).toBe(`silent: no SSH handshake with ${BASTION_ADDR}:${silentPort} within 1000 ms (timed out)`)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('an encrypted IdentityFile works with AUTHCTL_SSH_KEY_PASSPHRASE_FILE, and is a ConfigError without it', async () => {
    const c = await connector(['enc-1'], {}, { AUTHCTL_SSH_KEY_PASSPHRASE_FILE: join(dir, 'passphrase') })
    expect((await reach(c, 'enc-1')).reach?.auth).toEqual({ method: 'key-file', file: keys.id_enc?.file })
    const without = await connector(['enc-1'])
    const error = await without.connect(['enc-1']).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(`SSH private key ${keys.id_enc?.file} is encrypted and no passphrase was given`)
  })

  it('authenticates with a key only ssh-agent holds', async () => {
    const sock = join(dir, 'agent.sock')
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' })
    children.push(agent)
    try {
      await waitFor(() => existsSync(sock), 'the ssh-agent socket', 2_000, 20)
      execFileSync('ssh-add', ['-q', keys.id_agent?.file as string], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' })
      const c = await connector(['agent-1'], {}, { SSH_AUTH_SOCK: sock })
      const host = await reach(c, 'agent-1')
      expect(host.reach?.auth).toEqual({ method: 'agent', socket: sock })
      expect((await host.exec(['whoami'])).stdout).toBe(`${LOGIN_USER}\n`)
      // Without the agent there is no key for agent-1 (no IdentityFile, no ~/.ssh/id_*).
      await expect((await connector(['agent-1'])).connect(['agent-1'])).rejects.toThrow(/no SSH credentials for host agent-1/)
    } finally {
      if (agent.pid !== undefined) await killAll([agent.pid])
    }
  })

  it('StrictHostKeyChecking no is refused before connecting unless forced; forced, it warns once and connects', async () => {
    const before = bastionConnections
    await expect(connector(['insecure-1'])).rejects.toThrow(/insecure-1.*StrictHostKeyChecking=no would accept any host key/)
    expect(bastionConnections).toBe(before)
    const warnings: string[] = []
    const c = await connector(['insecure-1'], { insecureHostKeys: true, warn: (w) => warnings.push(w) })
    expect(warnings).toEqual([expect.stringMatching(/host insecure-1 .*keys of hosts missing from known_hosts are NOT verified \(forced by --insecure-ignore-host-keys\); changed keys are still refused/)])
    const host = await reach(c, 'insecure-1')
    expect(host.reach?.hostKeyVerified).toBe(false)
    expect(existsSync(join(dir, 'empty_known_hosts'))).toBe(false)
  })
})

describe('authctl ssh-check', () => {
  const cliEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, NO_COLOR: '1' })
  const inventory = (lines: string[]): string => {
    const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.ini`)
    writeFileSync(file, ['[authentik]', ...lines, ''].join('\n'))
    return file
  }

  it('--json reports how each host was reached; exit 4 when one is unreachable', async () => {
    const inv = inventory(['authentik-1', 'authentik-2', 'lonely'])
    const r = await runCli(['ssh-check', '--json', '-i', inv, '-F', join(dir, 'ssh_config')], cliEnv(), 30_000)
    expect(r.code).toBe(4)
    const json = JSON.parse(r.stdout) as { hosts: Array<Record<string, unknown>>; exitCode: number }
    const bastionHop = `${LOGIN_USER}@${BASTION_ADDR}:${bastionPort}`
    const reached = (name: string, address: string, jumps: string[], key: string) => ({
      name, reachable: true, user: LOGIN_USER, address, port: 22, jumps, auth: { method: 'key-file', file: keys.id_user?.file },
      hostKeyFingerprint: fingerprint(keys[key]?.blob as Buffer), hostKeyVerified: true, handshakeMs: expect.any(Number), error: null,
    })
    expect(json).toEqual({
      hosts: [
        reached('authentik-1', T1, [bastionHop], 't1_host'),
        reached('authentik-2', T2, [bastionHop, `${LOGIN_USER}@${HOP2}:22`], 't2_host'),
        {
          name: 'lonely', reachable: false, user: LOGIN_USER, address: T2, port: 22, jumps: [bastionHop], auth: null,
          hostKeyFingerprint: null, hostKeyVerified: null, handshakeMs: null, error: { message: expect.stringContaining('cannot open a connection to'), hint: expect.any(String) },
        },
      ],
      exitCode: 4,
    })
    expect(json.hosts[0]?.handshakeMs).toBeGreaterThan(0)
  })

  it('the human report names user, address, jumps, key and fingerprint', async () => {
    const inv = inventory(['authentik-1'])
    const r = await runCli(['ssh-check', '-i', inv, '-F', join(dir, 'ssh_config')], cliEnv(), 30_000)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^authentik-1  ok  ${LOGIN_USER}@${T1}:22 via ${LOGIN_USER}@${BASTION_ADDR}:${bastionPort}  key ${keys.id_user?.file}  host key ${fingerprint(keys.t1_host?.blob as Buffer).replace(/[+/]/g, '\\$&')}  \\d+ ms\\n$`),
    )
  })

  it('an unknown -o option is a configuration error naming host and option, before any connection (exit 5)', async () => {
    const before = bastionConnections
    const inv = inventory(['authentik-1', "authentik-9 ansible_ssh_extra_args='-o ControlPersist=60'"])
    const r = await runCli(['ssh-check', '-i', inv, '-F', join(dir, 'ssh_config')], cliEnv(), 30_000)
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('host authentik-9: ansible_ssh_extra_args: unsupported ssh option -o ControlPersist=60')
    expect(bastionConnections).toBe(before)
  })
})
