// The SSH transport: one ssh2 connection per host, each command an exec channel running exactly
// the quoted argv. The only module (with its helpers) that touches ssh2; node-ssh is not used
// because its exec ignores exit codes, trims output and fakes cwd.
import type { ConnectConfig } from 'ssh2'
import { checkHostKey, hostKeyAlgorithms, type HostKeyAlgorithm, type HostKeyOutcome } from './host-key-check.js'
import { loadKnownHosts } from './known-hosts.js'
import { resolveCredentials, type SshCredentials } from './ssh-auth.js'
import { connectError, type Ssh2Error } from './ssh-connect-error.js'
import { SshRemoteHost } from './ssh-remote-host.js'

// One host to reach, as the inventory describes it.
export interface SshTarget {
  name: string
  host: string
  port: number
  user: string
  privateKeyFile?: string
  agentSocket?: string // default: env SSH_AUTH_SOCK; '' disables the agent
  passphrase?: string
}

// Where host keys are checked and whether unknown ones may be added (--accept-new-host-keys).
export interface HostKeyPolicy {
  knownHostsPath: string
  acceptNew: boolean
}

// A finished remote command: output untrimmed, code null when it died by a signal.
export interface ExecResult {
  stdout: string
  stderr: string
  code: number | null
  signal?: string | null
}

// Per-command options: stdin is how content and secrets travel, never the command line.
export interface ExecOptions {
  stdin?: string | Buffer
  timeoutMs?: number
}

// The port plays and steps use to run commands on one host.
export interface RemoteHost {
  readonly name: string
  readonly hostKeyFingerprint: string
  readonly handshakeMs: number
  // Never rejects on a non-zero exit; rejects with UnreachableError on a lost connection or timeout.
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
  close(): Promise<void>
}

const DEFAULT_READY_TIMEOUT_MS = 20_000

// Builds ssh2's connect options from the target, credentials and host-key verifier.
function connectConfig(target: SshTarget, creds: SshCredentials, readyTimeout: number, algorithms: HostKeyAlgorithm[], verify: ConnectConfig['hostVerifier']): ConnectConfig {
  return {
    host: target.host,
    port: target.port,
    username: target.user,
    privateKey: creds.privateKey,
    passphrase: creds.passphrase,
    agent: creds.agent,
    authHandler: creds.methods.map((m) => m.type),
    readyTimeout,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: algorithms },
    hostVerifier: verify,
  }
}

// Connects to one host: known_hosts check (accepting new keys only when allowed), key file
// and/or agent auth. Every failure to reach the host is an UnreachableError naming it.
export async function connectHost(target: SshTarget, policy: HostKeyPolicy, opts: { readyTimeoutMs?: number } = {}): Promise<RemoteHost> {
  const { default: ssh2 } = await import('ssh2')
  const creds = resolveCredentials(target, ssh2.utils)
  const entries = await loadKnownHosts(policy.knownHostsPath)
  const readyTimeout = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  const outcome: HostKeyOutcome = {}
  const tried = creds.methods.map((m) => m.label)
  const client = new ssh2.Client()
  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    checkHostKey(entries, policy, target.host, target.port, key).then(
      (result) => {
        Object.assign(outcome, result)
        done(result.refusal === undefined)
      },
      (error: unknown) => {
        outcome.refusal = { message: `cannot record the host key in ${policy.knownHostsPath}: ${String(error)}`, hint: 'check that the file is writable' }
        done(false)
      },
    )
  }
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    let settled = false
    // Stays attached for good: ssh2 may still emit errors (e.g. "Connection lost before handshake")
    // after a failed connect, and an EventEmitter error without a listener would crash the CLI.
    const onError = (err: Ssh2Error): void => {
      if (err.level === 'agent' && !settled) return void tried.push(`(ssh-agent error: ${err.message})`)
      if (settled) return
      settled = true
      client.off('close', onClose).off('ready', onReady)
      client.end()
      reject(connectError(err, target, outcome, tried, readyTimeout))
    }
    const onClose = (): void => onError(Object.assign(new Error('connection closed during the SSH handshake'), { level: 'handshake' }))
    const onReady = (): void => {
      settled = true
      client.off('close', onClose).off('ready', onReady)
      resolve()
    }
    client.on('error', onError).on('close', onClose).on('ready', onReady)
    client.connect(connectConfig(target, creds, readyTimeout, hostKeyAlgorithms(entries, target.host, target.port), verify))
  })
  const handshakeMs = Math.round(performance.now() - started)
  return new SshRemoteHost(target.name, outcome.fingerprint ?? '', handshakeMs, client, `${target.host}:${target.port}`)
}
