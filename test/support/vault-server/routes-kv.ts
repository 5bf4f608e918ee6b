// The KV v2 mount at secret/: dispatches data/, metadata/, delete/, undelete/, destroy/, config.
import { envelope } from './envelope.js'
import { dataRoute, versionsRoute } from './kv-data.js'
import { configRoute, metadataRoute } from './kv-metadata.js'
import type { Route } from './route.js'
import type { ServerState } from './state.js'

// The mount path authctl uses (runbook: vault_kv_mount = secret).
export const KV_MOUNT = 'secret'

const WRONG_PATH =
  "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."

// A path under a versioned mount that skips data/ etc.: 404 with the envelope and a warning.
const wrongPath: Route = {
  read: () => ({ status: 404, body: envelope({ warnings: [WRONG_PATH] }) }),
  list: () => ({ status: 404, body: envelope({ warnings: [WRONG_PATH] }) }),
  write: () => ({ status: 404, body: envelope({ warnings: [WRONG_PATH] }) }),
  delete: () => ({ status: 404, body: envelope({ warnings: [WRONG_PATH] }) }),
}

// Resolves secret/… to its endpoint.
export function matchKv(_state: ServerState, path: string): Route | null {
  if (path !== KV_MOUNT && !path.startsWith(`${KV_MOUNT}/`)) return null
  const rest = path.slice(KV_MOUNT.length + 1)
  if (rest === 'config') return configRoute
  if (rest === 'metadata' || rest === 'metadata/') return metadataRoute('')
  const m = /^(data|metadata|delete|undelete|destroy)\/(.+)$/.exec(rest)
  if (!m) return wrongPath
  const p = m[2]!
  switch (m[1]) {
    case 'data':
      return dataRoute(p)
    case 'metadata':
      return metadataRoute(p.replace(/\/$/, '') === p ? p : p)
    default:
      return versionsRoute(m[1] as 'delete' | 'undelete' | 'destroy', p)
  }
}
