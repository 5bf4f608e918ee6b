// Builds what a play needs from flags and environment: the selected inventory hosts, the SSH pool,
// the reporter, and who is running. Heavy modules are imported here, lazily, not by commands.
import { readFileSync } from 'node:fs'
import { hostname, homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from './errors.js'
import type { HostConfig } from './inventory/host-config.js'
import { lineReporter, silentReporter, type Reporter } from './output/reporter.js'
import type { SetupHost } from './plays/setup-types.js'
import type { RemoteHost } from './remote/remote-host.js'

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
  const overrideDir = overrideDirFor(selection.inventoryPath)
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
          { overrideDir },
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
}

// Opens one SSH connection per selected host; returns the connector a play uses and a closer.
export async function sshConnector(hosts: readonly HostConfig[], opts: ConnectOptions) {
  const { SshPool } = await import('./transport/ssh-pool.js')
  const home = opts.env.HOME || homedir()
  const pool = new SshPool({ knownHostsPath: opts.knownHosts ?? join(home, '.ssh', 'known_hosts'), acceptNew: opts.acceptNew }, { forks: opts.forks })
  const byName = new Map(hosts.map((h) => [h.name, h]))
  const connect = async (names: readonly string[]): Promise<Map<string, RemoteHost | Error>> => {
    const targets = names.map((name) => {
      const h = byName.get(name) as HostConfig
      return { name, host: h.address, port: h.port, user: h.user ?? userInfo().username, privateKeyFile: h.privateKeyFile }
    })
    return pool.connectAll(targets)
  }
  return { connect, close: () => pool.closeAll() }
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
