// Builds what a play needs from flags and environment: the selected inventory hosts, the SSH pool,
// the reporter, and who is running. Heavy modules are imported here, lazily, not by commands.
import { readFileSync } from 'node:fs'
import { hostname, homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from './errors.js'
import type { HostConfig } from './inventory/host-config.js'
import { lineReporter, silentReporter, type Reporter } from './output/reporter.js'
import type { SetupHost } from './plays/setup-types.js'
import type { RemoteHost } from './transport/ssh-host.js'

// The flags every host-touching command shares: which hosts, and how to reach them.
export interface HostSelectionInput {
  inventory: string
  limit?: string
  forks: number
  knownHosts?: string
  acceptNew: boolean
  sshConfig?: string
  insecureHostKeys?: boolean
}

export interface Selection {
  inventoryPath: string
  hosts: HostConfig[]
}

// Loads the inventory and applies --limit; an empty selection is a usage error.
export async function selectHosts(inventoryPath: string, limit: string | undefined, env: NodeJS.ProcessEnv): Promise<Selection> {
  const { loadInventory } = await import('./inventory/load-inventory.js')
  const inventory = await loadInventory(inventoryPath, { env })
  const hosts = inventory.selectHosts(limit)
  if (hosts.length === 0) throw new ConfigError(`${inventoryPath}: no host selected${limit ? ` by --limit ${limit}` : ''}`, { hint: 'authctl inventory --graph shows the hosts and groups.' })
  return { inventoryPath, hosts }
}

// The setup play's view of each host: its paths and a render of its files (templates beside the inventory win).
export async function setupHosts(selection: Selection, env: NodeJS.ProcessEnv): Promise<SetupHost[]> {
  const { renderBundle } = await import('./render/bundle.js')
  const { overrideDirFor } = await import('./render/templates-dir.js')
  const { vaultConfigFromEnv } = await import('./vault/config.js')
  const overrideDir = overrideDirFor(selection.inventoryPath)
  // What authctl holds as a secret while rendering: an override's output may not contain it.
  const token = vaultConfigFromEnv(env, env.HOME || homedir()).token
  const secrets = token === null ? [] : [token]
  return selection.hosts.map((h) => {
    const vaultAddr = h.vars.vaultAddr ?? env.VAULT_ADDR
    if (!vaultAddr) throw new ConfigError(`${h.name}: vault_addr is not set and VAULT_ADDR is empty`, { hint: 'Set vault_addr in group_vars (the address the agents use) or export VAULT_ADDR.' })
    const vaultCacert = h.vars.vaultCacert ? readPem(h.name, h.vars.vaultCacert) : undefined
    return {
      name: h.name,
      root: h.vars.authentikRoot,
      project: h.vars.composeProject,
      role: h.vars.vaultApprole,
      render: () =>
        renderBundle(
          {
            hostName: h.name, authentikRoot: h.vars.authentikRoot, vaultAddr, vaultCacert, vaultKvMount: h.vars.vaultKvMount,
            vaultKvPath: h.vars.vaultKvPath, vaultApprole: h.vars.vaultApprole, composeProject: h.vars.composeProject,
            authentikImage: h.vars.authentikImage, vaultImage: h.vars.vaultImage,
          },
          { overrideDir, secrets },
        ),
    }
  })
}

function readPem(host: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${host}: vault_cacert ${path} cannot be read: ${(error as Error).message}`, { hint: 'Point vault_cacert at the PEM file of the CA that signed Vault\'s certificate.' })
  }
}

export interface ConnectOptions {
  knownHosts?: string
  acceptNew: boolean
  forks: number
  env: NodeJS.ProcessEnv
  // -F / --ssh-config (else AUTHCTL_SSH_CONFIG, else ~/.ssh/config).
  sshConfig?: string
  // --insecure-ignore-host-keys: StrictHostKeyChecking=no may pass (else AUTHCTL_INSECURE_IGNORE_HOST_KEYS).
  insecureHostKeys?: boolean
  // May ask a key passphrase on the terminal (not under --json, and only when stdin is a TTY).
  interactive?: boolean
  // Where warnings go (default stderr), each printed once.
  warn?: (message: string) => void
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v)

// Resolves every host through the ssh config (ConfigErrors here, before any connection), then returns
// the connector a play uses, a closer, and the planned targets (for ssh-check).
export async function sshConnector(hosts: readonly HostConfig[], opts: ConnectOptions) {
  const { planSshTargets } = await import('./transport/ssh-targets.js')
  const { passphraseSource } = await import('./transport/passphrase.js')
  const { SshPool } = await import('./transport/ssh-pool.js')
  const home = opts.env.HOME || homedir()
  const plan = await planSshTargets(
    hosts.map((h) => ({
      name: h.name,
      ansibleHost: h.address,
      // HostConfig defaults the port to 22; only an explicit ansible_port may override the ssh config.
      ansiblePort: Object.hasOwn(h.raw, 'ansible_port') || Object.hasOwn(h.raw, 'ansible_ssh_port') ? h.port : undefined,
      ansibleUser: h.user,
      privateKeyFile: h.privateKeyFile,
      sshCommonArgs: h.sshCommonArgs,
      sshExtraArgs: h.sshExtraArgs,
    })),
    {
      env: opts.env, homeDir: home, localUser: userInfo().username, sshConfig: opts.sshConfig, knownHosts: opts.knownHosts,
      acceptNew: opts.acceptNew, insecureHostKeys: opts.insecureHostKeys ?? truthy(opts.env.AUTHCTL_INSECURE_IGNORE_HOST_KEYS),
    },
  )
  const warn = opts.warn ?? ((message: string) => void process.stderr.write(`Warning: ${message}\n`))
  for (const warning of plan.warnings) warn(warning)
  const passphrase = passphraseSource({ env: opts.env, interactive: opts.interactive ?? false })
  const defaultKnownHosts = opts.knownHosts ?? join(home, '.ssh', 'known_hosts')
  const pool = new SshPool({ knownHostsPath: defaultKnownHosts, acceptNew: opts.acceptNew }, { forks: opts.forks, passphrase, env: opts.env })
  const byName = new Map(plan.targets.map((t) => [t.name, t]))
  const connect = async (names: readonly string[]): Promise<Map<string, RemoteHost | Error>> => {
    const targets = names.map((name) => {
      const target = byName.get(name)
      if (target === undefined) throw new ConfigError(`host ${name} is not among the selected hosts`)
      return target
    })
    return pool.connectAll(targets)
  }
  return { connect, close: () => pool.closeAll(), targets: plan.targets }
}

// Progress on stderr for people and CI; nothing with --json.
export function reporterFor(json: boolean): Reporter {
  return json ? silentReporter : lineReporter(process.stderr)
}

// Who runs authctl and from where, for the lock details and the audit lines (no secrets).
export function runIdentity(commandLine: string): { who: string; lockDetails: string } {
  const user = process.env.SUDO_USER || userInfo().username
  const who = `${user}@${hostname()}`
  const lockDetails = JSON.stringify({ who, pid: process.pid, command: commandLine, bastion: hostname(), since: new Date().toISOString() })
  return { who, lockDetails }
}
