// Tunnels through a connected host (what `ssh -W host:port` does): a direct-tcpip channel on the host's
// existing SSH connection, for reaching a database that the hosts can reach and the bastion cannot.
import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { UnreachableError } from '../errors.js'
import { forward } from './ssh-jump.js'
import type { SshConnection } from './ssh-types.js'

// The ssh2 connection behind each SshConnection that connectHost made; other RemoteHosts cannot tunnel.
const clients = new WeakMap<SshConnection, Client>()

// Called by connectHost: lets openTunnel use this host's connection.
export function allowTunnels(host: SshConnection, client: Client): void {
  clients.set(host, client)
}

// A byte stream to host:port opened from `via`; UnreachableError naming `via` when it cannot.
export async function openTunnel(via: SshConnection, host: string, port: number): Promise<Duplex> {
  const client = clients.get(via)
  if (client === undefined) throw new UnreachableError(`${via.name}: this connection cannot open tunnels`)
  try {
    return await forward(client, host, port, via.name)
  } catch (error) {
    const why = error instanceof UnreachableError && error.cause instanceof Error ? error.cause.message : (error as Error).message
    throw new UnreachableError(`${via.name}: cannot open a tunnel to ${host}:${port}: ${why}`, {
      hint: `check that ${via.name} can reach ${host}:${port} and that its sshd allows TCP forwarding (AllowTcpForwarding)`, cause: error,
    })
  }
}
