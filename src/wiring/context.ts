// Builds what a play needs from flags and environment: the selected inventory hosts, the SSH pool,
// the reporter, the interrupts, and who is running. Heavy modules are imported lazily, not by commands.
import { hostname, homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import { whoRuns } from '../util/audit-record.js'
import type { EngineDeps } from '../engine/play.js'
import type { HostConfig } from '../inventory/host-config.js'
import { requireConfirmation } from '../output/confirm.js'
import type { LiveReporter } from '../output/listr-reporter.js'
import { trapInterrupts, type Interrupt } from '../output/interrupt.js'
import { lineReporter, silentReporter, type Reporter } from '../engine/reporter.js'
import type { SshConnection } from '../transport/ssh-types.js'

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
  const { loadInventory } = await import('../inventory/load-inventory.js')
  const inventory = await loadInventory(inventoryPath, { env })
  const hosts = inventory.selectHosts(limit)
  if (hosts.length === 0) throw new ConfigError(`${inventoryPath}: no host selected${limit ? ` by --limit ${limit}` : ''}`, { hint: 'authctl inventory --graph shows the hosts and groups.' })
  return { inventoryPath, hosts }
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
  const { planSshTargets } = await import('../transport/ssh-targets.js')
  const { passphraseSource } = await import('../transport/passphrase.js')
  const { SshPool } = await import('../transport/ssh-pool.js')
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
  const connect = async (names: readonly string[]): Promise<Map<string, SshConnection | Error>> => {
    const targets = names.map((name) => {
      const target = byName.get(name)
      if (target === undefined) throw new ConfigError(`host ${name} is not among the selected hosts`)
      return target
    })
    return pool.connectAll(targets)
  }
  return { connect, close: () => pool.closeAll(), targets: plan.targets }
}


// Who runs authctl and from where, for the lock details and the audit lines (no secrets).
export function runIdentity(commandLine: string): { who: string; lockDetails: string } {
  const who = whoRuns()
  const lockDetails = JSON.stringify({ who, pid: process.pid, command: commandLine, bastion: hostname(), since: new Date().toISOString() })
  return { who, lockDetails }
}

// What a host-touching command gets from withHosts: the selection, the connector, progress output,
// the interrupts and who runs. Everything here is closed by withHosts in every case.
export interface HostSession {
  selection: Selection
  env: NodeJS.ProcessEnv
  connect(names: readonly string[]): Promise<Map<string, SshConnection | Error>>
  targets: Awaited<ReturnType<typeof sshConnector>>['targets']
  reporter: Reporter
  // the live per-host view on a terminal (settle it with the results before printing a recap)
  live?: LiveReporter
  interrupt: Interrupt
  who: string
  lockDetails: string
  commandLine: string
}

export interface WithHostsInput extends HostSelectionInput {
  json: boolean
  // the command words after "authctl" (for the lock details and the audit lines)
  command: readonly string[]
  argv: readonly string[]
  // a live listr view on a terminal instead of one line per event
  live?: boolean
  // a change that can cause an outage or invalidate credentials: src/output/confirm.ts's rule, refused
  // without a terminal and without --yes before anything is read, asked with the plan once the hosts are known
  confirm?: { yes: boolean; action: string; plan(selection: Selection): string[] }
}

// The one wiring for every command that reaches hosts: select hosts (config errors before any
// connection), plan SSH, choose the reporter, trap Ctrl-C, run, and close everything in every case.
export async function withHosts<T>(input: WithHostsInput, run: (session: HostSession) => Promise<T>): Promise<T> {
  const env = process.env
  const commandLine = ['authctl', ...input.command, ...input.argv].join(' ')
  const { confirm } = input
  const ask = confirm === undefined ? undefined : requireConfirmation({ yes: confirm.yes, command: commandLine, action: confirm.action })
  const selection = await selectHosts(input.inventory, input.limit, env)
  if (confirm !== undefined && ask !== undefined) await ask(confirm.plan(selection))
  const ssh = await sshConnector(selection.hosts, {
    knownHosts: input.knownHosts, acceptNew: input.acceptNew, forks: input.forks, env,
    sshConfig: input.sshConfig, insecureHostKeys: input.insecureHostKeys, interactive: !input.json,
  })
  let live: LiveReporter | undefined
  try {
    if (input.live && !input.json && process.stdout.isTTY && process.stderr.isTTY && !env.CI) {
      const { listrReporter } = await import('../output/listr-reporter.js')
      live = await listrReporter(selection.hosts.map((h) => h.name))
    }
    const reporter = live ?? (input.json ? silentReporter : lineReporter(process.stderr))
    const interrupt = trapInterrupts({ warn: (m) => reporter.warn('*', m) })
    try {
      const { who, lockDetails } = runIdentity(commandLine)
      return await run({ selection, env, connect: ssh.connect, targets: ssh.targets, reporter, live, interrupt, who, lockDetails, commandLine })
    } finally {
      interrupt.dispose()
    }
  } finally {
    await live?.close([])
    await ssh.close()
  }
}

// The run engine's ports for a session: SSH, progress, the bastion audit log, who runs, the interrupts.
export async function engineDeps(s: HostSession): Promise<EngineDeps> {
  const { appendAudit } = await import('../output/audit-local.js')
  return {
    connect: s.connect, reporter: s.reporter, auditLocal: (lines) => appendAudit(lines, s.env), lockDetails: s.lockDetails, who: s.who,
    now: () => new Date(), signal: s.interrupt.signal, hardSignal: s.interrupt.hardSignal,
  }
}
