// Turns inventory hosts into SSH targets the way OpenSSH would reach them: the ssh config (-F,
// AUTHCTL_SSH_CONFIG, ~/.ssh/config) under the inventory's variables, jump hosts included. Every
// configuration error surfaces here, before any connection is attempted.
import { join } from 'node:path'
import { resolveTarget, type JumpHop, type ResolvedTarget, type TargetInput } from './resolve-target.js'
import { loadSshConfig, sshConfigPath } from './ssh-config.js'
import type { HostKeyPolicy, SshTarget } from './ssh-types.js'
import type { SshHop } from './ssh-types.js'

// The run's choices that override or complete the ssh config.
export interface PlanOptions {
  env: NodeJS.ProcessEnv
  homeDir: string
  localUser: string
  // -F / --ssh-config; AUTHCTL_SSH_CONFIG in env is the fallback, then ~/.ssh/config.
  sshConfig?: string
  // --known-hosts: the one file used for every host and hop instead of UserKnownHostsFile.
  knownHosts?: string
  // --accept-new-host-keys: as StrictHostKeyChecking accept-new for every host and hop.
  acceptNew: boolean
  // --insecure-ignore-host-keys: lets StrictHostKeyChecking=no through (with a warning).
  insecureHostKeys?: boolean
}

// The targets in inventory order, the warnings to print once each, and the config file read.
export interface PlannedTargets {
  targets: SshTarget[]
  warnings: string[]
  configPath?: string
}

// OpenSSH's default identities (ssh_config(5) IdentityFile), used when none is configured.
export function defaultIdentityFiles(homeDir: string): string[] {
  return ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'].map((f) => join(homeDir, '.ssh', f))
}

// known_hosts handling for one endpoint: the flag wins over the config; the first file takes appends.
export function hostKeyPolicy(endpoint: Pick<JumpHop, 'knownHostsFiles' | 'strictHostKeyChecking'>, opts: Pick<PlanOptions, 'knownHosts' | 'acceptNew'>): HostKeyPolicy {
  const files = opts.knownHosts !== undefined ? [opts.knownHosts] : endpoint.knownHostsFiles
  return {
    // UserKnownHostsFile none: nothing is known, and nothing can be recorded.
    knownHostsPath: files[0] ?? '/dev/null',
    knownHostsFiles: files,
    acceptNew: opts.acceptNew || endpoint.strictHostKeyChecking === 'accept-new',
    insecure: endpoint.strictHostKeyChecking === 'no',
  }
}

const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : seconds * 1000)

// One resolved host as the transport's target.
export function toSshTarget(resolved: ResolvedTarget, opts: PlanOptions): SshTarget {
  const agentSocket = opts.env.SSH_AUTH_SOCK ?? ''
  const defaults = defaultIdentityFiles(opts.homeDir)
  const timing = { readyTimeoutMs: ms(resolved.connectTimeoutS), keepaliveIntervalMs: ms(resolved.serverAliveIntervalS) }
  const jumps: SshHop[] = resolved.jumps.map((hop) => ({
    host: hop.host, port: hop.port, user: hop.user, identityFiles: hop.identityFiles, identitiesOnly: hop.identitiesOnly,
    hostKeys: hostKeyPolicy(hop, opts), agentSocket, defaultIdentityFiles: defaults, ...timing,
  }))
  return {
    name: resolved.name, host: resolved.host, port: resolved.port, user: resolved.user,
    identityFiles: resolved.identityFiles, identitiesOnly: resolved.identitiesOnly, defaultIdentityFiles: defaults, agentSocket,
    hostKeys: hostKeyPolicy(resolved, opts), jumps, ...timing,
  }
}

// Reads the ssh config once and resolves every host; throws ConfigError on the first bad one.
export async function planSshTargets(inputs: readonly TargetInput[], opts: PlanOptions): Promise<PlannedTargets> {
  const where = sshConfigPath({ flag: opts.sshConfig, env: opts.env, homeDir: opts.homeDir })
  const config = await loadSshConfig(where.path, { homeDir: opts.homeDir, required: where.required })
  const warnings = new Set<string>()
  const targets = inputs.map((input) => {
    const resolved = resolveTarget(input, config, { localUser: opts.localUser, homeDir: opts.homeDir, allowInsecureHostKeys: opts.insecureHostKeys, env: opts.env })
    for (const warning of resolved.warnings) warnings.add(warning)
    return toSshTarget(resolved, opts)
  })
  return { targets, warnings: [...warnings], configPath: config.path }
}
