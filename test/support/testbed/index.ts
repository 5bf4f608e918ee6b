// The test bed: N real OpenSSH hosts on loopback addresses, each in its own mount namespace with a
// private /data, a non-root sudo login user, a command log per host, and optionally the Vault test server.
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inventoryIni, knownHostsText } from './inventory.js'
import { generateKey } from './keys.js'
import { ensureLoginUser, LOGIN_USER, remotePath } from './login-user.js'
import { isOurs, stopTree } from './processes.js'
import { claimSlot, hostAddress } from './slots.js'
import { launchSshd } from './sshd-process.js'
import { bundleDockerStub } from './stub-bundle.js'
import { prepareHost } from './host-setup.js'
import { readState, statePath, writeState, type HostState, type TestbedState } from './state.js'
import { stopState } from './teardown.js'
import { launchVault } from './vault-process.js'

// The repository root, found from this file so the bed works from any working directory.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

// What startTestbed accepts: how many hosts, whether to run Vault, where to keep the files.
export interface TestbedOptions {
  hosts: number
  vault?: boolean
  dir?: string
  /** Address slot: host i listens on 127.0.<slot>.(10+i); default the first free one (0 when alone). */
  slot?: number
  /** Let the processes outlive this one (the CLI's `up`); tests leave it false. */
  detached?: boolean
}

// One running host as tests see it.
export interface TestbedHost {
  name: string
  address: string
  port: number
  dataDir: string
  commandLog: string
  sshdPid: number
}

// A running test bed and its controls.
export interface Testbed {
  dir: string
  slot: number
  hosts: TestbedHost[]
  user: string
  keyFile: string
  knownHostsPath: string
  inventoryPath: string
  /** The seeded Vault test server: root and operator tokens, and the `authentik` AppRole's role-id. */
  vault?: { addr: string; rootToken: string; operatorToken: string; roleId?: string }
  commands(hostName: string): Promise<string[]>
  clearCommands(): Promise<void>
  stopHost(name: string): Promise<void>
  startHost(name: string): Promise<void>
  stop(): Promise<void>
}

// Starts a test bed; every process is recorded by PID in <dir>/testbed.json for stop() and `down`.
export async function startTestbed(options: TestbedOptions): Promise<Testbed> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 50) {
    throw new Error(`hosts must be an integer from 1 to 50, got ${options.hosts}`)
  }
  const ownDir = options.dir === undefined
  const dir = ownDir ? await mkdtemp(join(tmpdir(), 'authctl-testbed-')) : resolve(options.dir as string)
  await prepareDir(dir)
  const detached = options.detached ?? false
  const keyFile = join(dir, 'client', 'id_ed25519')
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 })
  const stubDir = join(repoRoot, 'test/support/docker-stub')
  const [user, clientKey] = await Promise.all([
    ensureLoginUser(stubDir),
    generateKey(keyFile, 'ed25519', 'authctl-testbed-client'),
    bundleDockerStub(stubDir),
  ])
  const slot = await claimSlot({ dir, ownerPid: process.pid, detached }, options.slot)
  const state: TestbedState = {
    version: 1, dir, slot, ownerPid: process.pid, detached, user: user.name, keyFile,
    knownHostsPath: join(dir, 'known_hosts'), inventoryPath: join(dir, 'inventory.ini'), hosts: [],
  }
  let vaultTokens: Testbed['vault']
  try {
    const hostStarts = Array.from({ length: options.hosts }, async (_, i) => {
      const prepared = await prepareHost({
        dir, name: `host${i + 1}`, address: hostAddress(slot, i + 1), clientPublicKey: clientKey, user, path: remotePath(stubDir),
      })
      const host: HostState = { ...prepared.state, sshdPid: 0 }
      state.hosts[i] = host
      host.sshdPid = await launchSshd({ ...prepared.state, logPath: prepared.logPath, detached })
      return { host, key: prepared.hostKey }
    })
    const vaultStart = options.vault === false ? undefined : startVault(dir, detached, state)
    const started = await Promise.allSettled([...hostStarts, vaultStart])
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    const hosts = await Promise.all(hostStarts)
    vaultTokens = await vaultStart
    await writeFile(state.knownHostsPath, knownHostsText(hosts.map(({ host, key }) => ({ ...host, key }))), { mode: 0o644 })
    await writeFile(state.inventoryPath, inventoryIni({
      hosts: state.hosts, user: user.name, keyFile, knownHostsPath: state.knownHostsPath, vaultAddr: vaultTokens?.addr,
    }), { mode: 0o644 })
    await writeState(state)
  } catch (error) {
    state.hosts = state.hosts.filter((host) => host.sshdPid > 0)
    await stopState(state)
    if (ownDir) await rm(dir, { recursive: true, force: true })
    throw error
  }
  return handle(state, vaultTokens, ownDir)
}

// Refuses a dir whose bed still runs, clears leftovers of a stopped one, and opens it to the login user.
async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const previous = await readState(dir).catch(() => undefined)
  if (previous?.hosts.some((host) => isOurs(host.sshdPid, host.configPath))) {
    throw new Error(`a test bed is already running in ${dir}; stop it first (npm run testbed -- down)`)
  }
  for (const entry of ['hosts', 'client', 'vault', 'known_hosts', 'inventory.ini', 'testbed.json']) {
    await rm(join(dir, entry), { recursive: true, force: true })
  }
  await chmod(dir, 0o755)
  // The login user reaches its wrapper and command log through every parent directory.
  for (let parent = dirname(dir); parent !== '/'; parent = dirname(parent)) {
    if (((await stat(parent)).mode & 0o001) === 0) throw new Error(`${parent} is not searchable by others; the test bed's login user needs it`)
  }
}

async function startVault(dir: string, detached: boolean, state: TestbedState): Promise<Testbed['vault']> {
  if (!existsSync(join(repoRoot, 'test/support/vault-server/main.ts'))) {
    throw new Error('the Vault test server (test/support/vault-server/main.ts) is missing; start without Vault (vault: false / --no-vault)')
  }
  const vaultDir = join(dir, 'vault')
  await mkdir(vaultDir, { recursive: true, mode: 0o700 })
  const readyFile = join(vaultDir, 'ready.json')
  const ready = await launchVault({ repoRoot, readyFile, logPath: join(vaultDir, 'vault.log'), detached })
  state.vault = { pid: ready.pid, addr: ready.addr, readyFile, marker: readyFile }
  return { addr: ready.addr, rootToken: ready.rootToken, operatorToken: ready.operatorToken, roleId: ready.roleId }
}

function handle(state: TestbedState, vault: Testbed['vault'], ownDir: boolean): Testbed {
  const find = (name: string): HostState => {
    const host = state.hosts.find((candidate) => candidate.name === name)
    if (!host) throw new Error(`no test bed host named ${name}`)
    return host
  }
  const hosts: TestbedHost[] = state.hosts.map((host) => ({
    name: host.name, address: host.address, port: host.port, dataDir: host.dataDir, commandLog: host.commandLog,
    get sshdPid() {
      return host.sshdPid
    },
  }))
  return {
    dir: state.dir, slot: state.slot, hosts, user: LOGIN_USER, keyFile: state.keyFile,
    knownHostsPath: state.knownHostsPath, inventoryPath: state.inventoryPath, vault,
    commands: async (name) => readCommands(find(name).commandLog),
    clearCommands: async () => {
      await Promise.all(state.hosts.map((host) => truncate(host.commandLog, 0)))
    },
    stopHost: async (name) => {
      const host = find(name)
      await stopTree(host.sshdPid, host.configPath)
    },
    startHost: async (name) => {
      const host = find(name)
      if (isOurs(host.sshdPid, host.configPath)) return
      host.sshdPid = await launchSshd({ ...host, logPath: join(dirname(host.configPath), 'sshd.log'), detached: state.detached })
      await writeState(state)
    },
    stop: async () => {
      await stopState(state)
      await rm(statePath(state.dir), { force: true })
      if (ownDir) await rm(state.dir, { recursive: true, force: true })
    },
  }
}

// The command lines recorded on a host, oldest first (shell sessions without a command are skipped).
async function readCommands(logPath: string): Promise<string[]> {
  const text = await readFile(logPath, 'utf8')
  const commands: string[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const entry = JSON.parse(line) as { command: unknown }
    if (typeof entry.command === 'string') commands.push(entry.command)
  }
  return commands
}
