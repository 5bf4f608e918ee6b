// The setup play's view of each selected host: its paths and a render of its files (templates beside
// the inventory win over the built-in ones).
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import type { Selection } from '../../wiring/context.js'
import { ConfigError } from '../../errors.js'
import type { SetupHost } from './setup-types.js'

// One SetupHost per selected host; vault_addr falls back to VAULT_ADDR.
export async function setupHosts(selection: Selection, env: NodeJS.ProcessEnv): Promise<SetupHost[]> {
  const { renderBundle } = await import('../../render/bundle.js')
  const { dbTlsInput } = await import('../../render/db-tls.js')
  const { overrideDirFor } = await import('../../render/templates-dir.js')
  const { vaultConfigFromEnv } = await import('../../vault/config.js')
  const overrideDir = overrideDirFor(selection.inventoryPath)
  // What authctl holds as a secret while rendering: an override's output may not contain it.
  const token = vaultConfigFromEnv(env, env.HOME || homedir()).token
  const secrets = token === null ? [] : [token]
  return selection.hosts.map((h) => {
    const vaultAddr = h.vars.vaultAddr ?? env.VAULT_ADDR
    if (!vaultAddr) throw new ConfigError(`${h.name}: vault_addr is not set and VAULT_ADDR is empty`, { hint: 'Set vault_addr in group_vars (the address the agents use) or export VAULT_ADDR.' })
    const vaultCacert = h.vars.vaultCacert ? readPem(h.name, h.vars.vaultCacert) : undefined
    const dbTls = dbTlsInput(h.name, h.vars)
    return {
      name: h.name,
      root: h.vars.authentikRoot,
      project: h.vars.composeProject,
      role: h.vars.vaultApprole,
      render: () =>
        renderBundle(
          {
            hostName: h.name, authentikRoot: h.vars.authentikRoot, vaultAddr, vaultCacert, vaultKvMount: h.vars.vaultKvMount,
            vaultKvPath: h.vars.vaultKvPath, vaultApprole: h.vars.vaultApprole, composeProject: h.vars.composeProject,
            authentikImage: h.vars.authentikImage, vaultImage: h.vars.vaultImage, ...dbTls,
          },
          { overrideDir, secrets },
        ),
    }
  })
}

function readPem(host: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${host}: vault_cacert ${path} cannot be read: ${(error as Error).message}`, { hint: 'Point vault_cacert at the PEM file of the CA that signed Vault\'s certificate.' })
  }
}
