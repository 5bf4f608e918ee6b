// The SSH transport: one ssh2 connection per host, each command an exec channel running exactly
// the quoted argv. The only module (with its helpers) that touches ssh2; node-ssh is not used
// because its exec ignores exit codes, trims output and fakes cwd.
import type { Client, ClientChannel, ConnectConfig } from 'ssh2'
import { UnreachableError } from '../errors.js'
import { commandLine } from '../remote/shell.js'
import { checkHostKey, hostKeyAlgorithms, type HostKeyAlgorithm, type HostKeyOutcome } from './host-key-check.js'
import { loadKnownHosts } from './known-hosts.js'
import { createLimiter } from './limit.js'
import { resolveCredentials, type SshCredentials } from './ssh-auth.js'

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

// sshd's MaxSessions defaults to 10 channels per connection; stay below it.
const MAX_CHANNELS = 8
const DEFAULT_READY_TIMEOUT_MS = 20_000

interface Ssh2Error extends Error {
  level?: string
  code?: string
}

// Turns a failed connect into an UnreachableError that names the host and what went wrong.
function connectError(err: Ssh2Error, target: SshTarget, outcome: HostKeyOutcome, tried: string[], timeoutMs: number): UnreachableError {
  const where = `${target.host}:${target.port}`
  const prefix = `${target.name}:`
  if (outcome.refusal) return new UnreachableError(`${prefix} ${outcome.refusal.message}`, { hint: outcome.refusal.hint, cause: err })
  switch (err.level) {
    case 'client-socket':
      return new UnreachableError(`${prefix} cannot connect to ${where}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`, {
        hint: 'check that the host is up, that sshd listens on that port, and ansible_host/ansible_port',
        cause: err,
      })
    case 'client-timeout':
      return new UnreachableError(`${prefix} no SSH handshake with ${where} within ${timeoutMs} ms (timed out)`, {
        hint: 'check that the host is up and that nothing filters the port',
        cause: err,
      })
    case 'client-dns':
      return new UnreachableError(`${prefix} cannot resolve ${target.host} (port ${target.port}): ${err.message}`, { cause: err })
    case 'client-authentication':
      return new UnreachableError(`${prefix} SSH authentication as ${target.user} on ${where} failed; tried: ${tried.join('; ')}`, {
        hint: `check ansible_user and that the public key is in ~${target.user}/.ssh/authorized_keys on the host`,
        cause: err,
      })
    default:
      return new UnreachableError(`${prefix} SSH connection to ${where} failed: ${err.message}`, { cause: err })
  }
}

// A connected host; commands share its connection as concurrent channels.
class SshRemoteHost implements RemoteHost {
  private lost?: UnreachableError
  private closing = false
  private readonly pending = new Set<(err: UnreachableError) => void>()
  private readonly limit = createLimiter(MAX_CHANNELS)

  constructor(
    readonly name: string,
    readonly hostKeyFingerprint: string,
    readonly handshakeMs: number,
    private readonly client: Client,
    private readonly where: string,
  ) {
    client.on('error', (err: Error) => this.markLost(`SSH connection to ${where} failed: ${err.message}`))
    client.on('end', () => this.markLost(`SSH connection to ${where} was closed`))
    client.on('close', () => this.markLost(`SSH connection to ${where} was closed`))
  }

  private markLost(message: string): void {
    this.lost ??= new UnreachableError(`${this.name}: ${this.closing ? 'connection already closed by authctl' : message}`)
    for (const fail of this.pending) fail(this.lost)
    this.pending.clear()
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.limit(() => this.run(argv, opts))
  }

  private run(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.lost) return reject(this.lost)
      let settled = false
      let channel: ClientChannel | undefined
      let timer: NodeJS.Timeout | undefined
      const finish = (action: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.pending.delete(fail)
        action()
      }
      const fail = (err: UnreachableError): void =>
        finish(() => {
          channel?.close()
          reject(err)
        })
      this.pending.add(fail)
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs
        timer = setTimeout(() => {
          channel?.signal('KILL')
          fail(new UnreachableError(`${this.name}: remote command timed out after ${ms} ms: ${commandLine(argv).slice(0, 120)}`))
        }, ms)
      }
      this.client.exec(commandLine(argv), (err, ch) => {
        if (err) return fail(new UnreachableError(`${this.name}: cannot open an SSH channel on ${this.where}: ${err.message}`, { cause: err }))
        if (settled) return void ch.close()
        channel = ch
        const stdout: Buffer[] = []
        const stderr: Buffer[] = []
        let code: number | null = null
        let signal: string | null = null
        ch.on('data', (chunk: Buffer) => stdout.push(chunk))
        ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        ch.on('exit', (exitCode: number | null, signalName?: string) => {
          code = exitCode ?? null
          signal = signalName ?? null
        })
        ch.on('close', () =>
          finish(() => resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code, signal })),
        )
        // Always send EOF so a command reading stdin never waits for input that will not come.
        if (opts.stdin === undefined) ch.end()
        else ch.end(opts.stdin)
      })
    })
  }

  async close(): Promise<void> {
    if (this.lost) return
    this.closing = true
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000)
      this.client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.client.end()
    })
    this.markLost('closed')
  }
}

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
