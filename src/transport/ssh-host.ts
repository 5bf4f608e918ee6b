// The SSH transport: one ssh2 connection per host (over jump hosts when configured), each command an
// exec channel running exactly the quoted argv. The only module (with its helpers) that touches ssh2;
// node-ssh is not used because its exec ignores exit codes, trims output and fakes cwd.
import { UnreachableError } from '../errors.js'
import type { HostKeyPolicy, ReachInfo, SshConnection, SshTarget } from './ssh-types.js'
import type { PassphraseSource } from './passphrase.js'
import { loadCredentials, type AuthMethod } from './ssh-auth.js'
import { handshake } from './ssh-handshake.js'
import { forward, hopLabel, JumpChains } from './ssh-jump.js'
import { SshRemoteHost } from './ssh-remote-host.js'
import { allowTunnels } from './ssh-tunnel.js'


// How a connect may differ per run: timeouts, the passphrase source, and shared jump connections.
export interface ConnectHostOptions {
  readyTimeoutMs?: number
  passphrase?: PassphraseSource
  jumps?: JumpChains
  env?: NodeJS.ProcessEnv
}

const DEFAULT_READY_TIMEOUT_MS = 20_000
const DEFAULT_KEEPALIVE_MS = 15_000

function authInfo(auth: AuthMethod | undefined): ReachInfo['auth'] {
  if (auth === undefined) return undefined
  return auth.type === 'agent' ? { method: 'agent', socket: auth.socket } : { method: 'key-file', file: auth.file }
}

// Connects to one host: through its jump hosts if any, known_hosts check by policy, key files and/or
// agent auth. Every failure to reach the host is an UnreachableError naming it (and the failing hop).
export async function connectHost(target: SshTarget, policy: HostKeyPolicy, opts: ConnectHostOptions = {}): Promise<SshConnection> {
  const { default: ssh2 } = await import('ssh2')
  const env = opts.env ?? process.env
  const creds = await loadCredentials(target, ssh2.utils, opts.passphrase, env)
  const readyTimeoutMs = target.readyTimeoutMs ?? opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  const keepaliveIntervalMs = target.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS
  const hops = target.jumps ?? []
  const ownChains = hops.length > 0 && opts.jumps === undefined ? new JumpChains({ ssh2, passphrase: opts.passphrase, env, readyTimeoutMs, keepaliveIntervalMs }) : undefined
  const chains = opts.jumps ?? ownChains
  const started = performance.now()
  try {
    let sock
    const last = hops[hops.length - 1]
    if (chains !== undefined && last !== undefined) {
      try {
        sock = await forward(await chains.connect(hops), target.host, target.port, hopLabel(last))
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error
        throw new UnreachableError(`${target.name}: ${error.message}`, { hint: error.hint, cause: error })
      }
    }
    const done = await handshake(ssh2, {
      name: target.name, host: target.host, port: target.port, user: target.user, creds, policy: target.hostKeys ?? policy,
      readyTimeoutMs, keepaliveIntervalMs, sock,
    })
    const reach: ReachInfo = {
      user: target.user, host: target.host, port: target.port, jumps: hops.map(hopLabel), auth: authInfo(done.auth), hostKeyVerified: !done.unverified,
    }
    const handshakeMs = Math.round(performance.now() - started)
    const host = new SshRemoteHost(target.name, done.fingerprint, handshakeMs, done.client, `${target.host}:${target.port}`, reach, ownChains && (() => ownChains.closeAll()))
    allowTunnels(host, done.client)
    return host
  } catch (error) {
    await ownChains?.closeAll()
    throw error
  }
}
