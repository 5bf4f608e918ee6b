// ProxyJump with ssh2: one connection to the first jump host, then each further hop (and finally the
// target) reached over a `direct-tcpip` channel of the previous one. Chains are shared: every target
// behind the same bastion uses one connection to it.
import type { Client, ClientChannel } from 'ssh2'
import { UnreachableError } from '../errors.js'
import { loadCredentials, type KeyParser, type SshCredentials } from './ssh-auth.js'
import { handshake, type Ssh2Module } from './ssh-handshake.js'
import type { SshHop } from './ssh-types.js'
import type { PassphraseSource } from './passphrase.js'

// What the chains need from the run: ssh2 itself, the passphrase source and default timeouts.
export interface JumpSettings {
  ssh2: Ssh2Module & { utils: KeyParser }
  passphrase?: PassphraseSource
  env?: NodeJS.ProcessEnv
  readyTimeoutMs: number
  keepaliveIntervalMs: number
}

// How a hop is named in messages: the address actually used.
export function hopLabel(hop: { user: string; host: string; port: number }): string {
  return `${hop.user}@${hop.host}:${hop.port}`
}

// Opens a direct-tcpip channel from `client` to host:port (what `ssh -W` / ProxyJump do).
export function forward(client: Client, host: string, port: number, via: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) reject(new UnreachableError(`jump host ${via} cannot open a connection to ${host}:${port}: ${err.message}`, { hint: 'check that the jump host can reach that address and that its sshd allows TCP forwarding', cause: err }))
        else resolve(channel)
      })
    } catch (error) {
      reject(new UnreachableError(`jump host ${via} is no longer connected: ${(error as Error).message}`, { cause: error }))
    }
  })
}

// The open jump connections of a run, keyed by the chain of hops that leads to each.
export class JumpChains {
  private readonly open = new Map<string, Promise<Client>>()
  private readonly closed = new WeakSet<Client>()

  constructor(private readonly settings: JumpSettings) {}

  // The client connected to the last hop of `hops`, opening (or reusing) every hop before it.
  connect(hops: readonly SshHop[]): Promise<Client> {
    const key = JSON.stringify(hops)
    let client = this.open.get(key)
    if (client === undefined) {
      client = this.openHop(hops)
      this.open.set(key, client)
    }
    return client
  }

  private async openHop(hops: readonly SshHop[]): Promise<Client> {
    const hop = hops[hops.length - 1] as SshHop
    const name = `jump host ${hopLabel(hop)} (hop ${hops.length})`
    const s = this.settings
    const before = hops.slice(0, -1)
    const sock = before.length === 0 ? undefined : await forward(await this.connect(before), hop.host, hop.port, hopLabel(before[before.length - 1] as SshHop))
    let creds: SshCredentials
    try {
      creds = await loadCredentials({ name, ...hop }, s.ssh2.utils, s.passphrase, s.env)
    } catch (error) {
      sock?.close()
      throw error
    }
    const done = await handshake(s.ssh2, {
      name, host: hop.host, port: hop.port, user: hop.user, creds, policy: hop.hostKeys, sock,
      readyTimeoutMs: hop.readyTimeoutMs ?? s.readyTimeoutMs, keepaliveIntervalMs: hop.keepaliveIntervalMs ?? s.keepaliveIntervalMs,
    })
    // A lost jump connection is reported by the targets behind it; nothing may crash on its error.
    done.client.on('error', () => undefined).on('close', () => this.closed.add(done.client))
    return done.client
  }

  // Closes every jump connection, the deepest first; a failed hop is simply skipped.
  async closeAll(): Promise<void> {
    const chains = [...this.open.entries()].sort((a, b) => b[0].length - a[0].length)
    this.open.clear()
    for (const [, pending] of chains) {
      const client = await pending.catch(() => undefined)
      if (client === undefined || this.closed.has(client)) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000)
        client.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        client.end()
      })
    }
  }
}
