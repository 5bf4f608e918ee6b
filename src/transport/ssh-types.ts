// The SSH transport's types: what a host to reach looks like, the host-key policy, and the connection
// a pool hands out (kept apart from ssh-host.ts so its helpers need not import the connector).
import type { ExecOptions, ExecResult } from '../remote/exec-result.js'
import type { RemoteHost } from '../remote/remote-host.js'

// One host to reach: where, as whom, with which keys, and through which jump hosts.
export interface SshTarget {
  name: string
  host: string
  port: number
  user: string
  privateKeyFile?: string
  // Tried in order after privateKeyFile; IdentitiesOnly keeps the agent out.
  identityFiles?: string[]
  identitiesOnly?: boolean
  // OpenSSH's ~/.ssh/id_* files, used only when no key file is configured.
  defaultIdentityFiles?: string[]
  agentSocket?: string // default: env SSH_AUTH_SOCK; '' disables the agent
  passphrase?: string
  // This host's own known_hosts policy; the connect call's policy otherwise.
  hostKeys?: HostKeyPolicy
  // Jump hosts, nearest first (ProxyJump).
  jumps?: SshHop[]
  readyTimeoutMs?: number
  keepaliveIntervalMs?: number
}

// One jump host, verified and authenticated like any target with its own settings.
export interface SshHop {
  host: string
  port: number
  user: string
  identityFiles: string[]
  identitiesOnly: boolean
  hostKeys: HostKeyPolicy
  agentSocket?: string
  defaultIdentityFiles?: string[]
  readyTimeoutMs?: number
  keepaliveIntervalMs?: number
}

// Where host keys are checked and what an unknown one gets: knownHostsPath is read and appended to
// (--accept-new-host-keys / accept-new); knownHostsFiles are read too; insecure accepts any key.
export interface HostKeyPolicy {
  knownHostsPath: string
  knownHostsFiles?: string[]
  acceptNew: boolean
  insecure?: boolean
}

// How a host was reached, for `authctl ssh-check` and debugging.
export interface ReachInfo {
  user: string
  host: string
  port: number
  jumps: string[]
  auth?: { method: 'key-file'; file: string } | { method: 'agent'; socket: string }
  hostKeyVerified: boolean
}

// One SSH connection as the pool hands it out: the remote-host port plays and steps use, plus what ssh-check shows.
export interface SshConnection extends RemoteHost {
  readonly hostKeyFingerprint: string
  readonly handshakeMs: number
  readonly reach?: ReachInfo
  // True once the connection is gone; the pool then opens a new one when asked for the host again.
  readonly isLost: boolean
  // Never rejects on a non-zero exit; rejects with UnreachableError on a lost connection or timeout.
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  close(): Promise<void>
}
