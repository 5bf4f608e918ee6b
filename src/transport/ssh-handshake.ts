// One SSH handshake with ssh2: host key checked against known_hosts by policy, then each credential
// tried in order. Used for targets and jump hosts alike, over TCP or over a forwarded channel.
import type { Duplex } from 'node:stream'
import type { AnyAuthMethod, Client, ConnectConfig, NextAuthHandler, ParsedKey } from 'ssh2'
import { checkHostKey, hostKeyAlgorithms, loadPolicyEntries, type HostKeyOutcome } from './host-key-check.js'
import type { AuthMethod, SshCredentials } from './ssh-auth.js'
import { connectError, type Ssh2Error } from './ssh-connect-error.js'
import type { HostKeyPolicy } from './ssh-types.js'

// The slice of the ssh2 module a handshake needs (it is imported lazily by the caller).
export interface Ssh2Module {
  Client: new () => Client
}

// One endpoint to shake hands with; `name` prefixes every error ("web1", "web1: jump host …").
export interface HandshakeEndpoint {
  name: string
  host: string
  port: number
  user: string
  creds: SshCredentials
  policy: HostKeyPolicy
  readyTimeoutMs: number
  keepaliveIntervalMs: number
  sock?: Duplex
}

// A finished handshake: the client, the served key, and the credential that was accepted.
export interface Handshake {
  client: Client
  fingerprint: string
  unverified: boolean
  handshakeMs: number
  auth?: AuthMethod
}

// ssh2 method objects for our credentials, tried in order; remembers the one in flight.
function authHandler(ep: HandshakeEndpoint, state: { current?: AuthMethod }): ConnectConfig['authHandler'] {
  let index = 0
  return (_left: unknown, _partial: unknown, next: NextAuthHandler) => {
    const method = ep.creds.methods[index++]
    state.current = method
    if (method === undefined) return (next as (auth: AnyAuthMethod | false) => void)(false)
    if (method.type === 'agent') return next({ type: 'agent', username: ep.user, agent: method.socket })
    // The key parsed (and decrypted) once by ssh-auth; ssh2 accepts it as is.
    next({ type: 'publickey', username: ep.user, key: method.parsed as ParsedKey })
  }
}

// Connects and authenticates; every failure is an UnreachableError naming the endpoint.
export async function handshake(ssh2: Ssh2Module, ep: HandshakeEndpoint): Promise<Handshake> {
  const entries = await loadPolicyEntries(ep.policy)
  const outcome: HostKeyOutcome = {}
  const tried = [...ep.creds.methods.map((m) => m.label), ...ep.creds.skipped]
  const state: { current?: AuthMethod } = {}
  const client = new ssh2.Client()
  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    checkHostKey(entries, ep.policy, ep.host, ep.port, key).then(
      (result) => {
        Object.assign(outcome, result)
        done(result.refusal === undefined)
      },
      (error: unknown) => {
        outcome.refusal = { message: `cannot record the host key in ${ep.policy.knownHostsPath}: ${String(error)}`, hint: 'check that the file is writable' }
        done(false)
      },
    )
  }
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    authHandler: authHandler(ep, state),
    readyTimeout: ep.readyTimeoutMs,
    keepaliveInterval: ep.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: hostKeyAlgorithms(entries, ep.host, ep.port) },
    hostVerifier: verify,
    ...(ep.sock ? { sock: ep.sock as ConnectConfig['sock'] } : {}),
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
      reject(connectError(err, ep, outcome, tried, ep.readyTimeoutMs))
    }
    const onClose = (): void => onError(Object.assign(new Error('connection closed during the SSH handshake'), { level: 'handshake' }))
    const onReady = (): void => {
      settled = true
      client.off('close', onClose).off('ready', onReady)
      resolve()
    }
    client.on('error', onError).on('close', onClose).on('ready', onReady)
    client.connect(config)
  })
  return {
    client,
    fingerprint: outcome.fingerprint ?? '',
    unverified: outcome.unverified === true,
    handshakeMs: Math.round(performance.now() - started),
    auth: state.current,
  }
}
