// The route through one inventory host (--via HOST) for the SQL change and the login checks.
import type { SshConnection } from '../transport/ssh-types.js'
import { openTunnel } from '../transport/ssh-tunnel.js'
import type { DbVia } from './db-types.js'

// Opens every database connection as a tunnel over the host's SSH connection.
export function viaHost(host: SshConnection): DbVia {
  return { name: host.name, open: (to, port) => openTunnel(host, to, port) }
}
