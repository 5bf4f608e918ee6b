// What every host command says about a rotation left unfinished, from this bastion or any other (its
// journal, or the record beside the secret in Vault): setup and restart warn, status fails and lists it.
import type { HostConfig } from '../../inventory/host-config.js'
import { fleetVars } from '../../inventory/fleet-vars.js'
import { sanitizeRemote } from '../../util/sanitize.js'
import type { UnfinishedRotation } from './rotation-journal.js'
import type { MirrorVault } from './rotation-mirror.js'
import { unfinishedAnywhere } from './rotation-store.js'
import { secretKey, vaultClientIfConfigured } from '../../wiring/vault-ports.js'

// Every unfinished rotation of the fleet these hosts belong to; Vault is asked only when configured.
export async function unfinishedOf(hosts: readonly HostConfig[], env: NodeJS.ProcessEnv, vault?: MirrorVault): Promise<UnfinishedRotation[]> {
  const vars = fleetVars(hosts)
  const secret = (name: 'database' | 'config') => ({ mount: vars.vaultKvMount, ...secretKey(vars, name) })
  // without Vault, the bastion's journals are all there is
  const client = vault ?? vaultClientIfConfigured(env)
  return unfinishedAnywhere([{ kind: 'rotate-db-password', secret: secret('database') }, { kind: 'rotate-secret-key', secret: secret('config') }], { vault: client, env })
}

// One line for people (no secret: every field is a name, a time, a step or a version).
export function unfinishedLine(r: UnfinishedRotation): string {
  const owed = r.owed.length > 0 ? `, hosts still owed a restart: ${r.owed.join(', ')}` : ''
  return `unfinished rotation: ${r.kind} started ${r.startedAt} by ${r.who}, at step ${r.step} (KV version ${r.fromVersion} → ${r.toVersion ?? '?'})${owed}; recorded in ${r.journal}; finish it with: ${r.resume}`
}

// setup and restart: a warning on stderr for each unfinished rotation; a failed check is a warning too.
export async function warnUnfinished(hosts: readonly HostConfig[], env: NodeJS.ProcessEnv, vault?: MirrorVault): Promise<void> {
  try {
    for (const r of await unfinishedOf(hosts, env, vault)) process.stderr.write(`Warning: ${unfinishedLine(r)}\n`)
  } catch (error) {
    process.stderr.write(`Warning: could not check for an unfinished rotation: ${sanitizeRemote((error as Error).message, { maxBytes: 300 })}\n`)
  }
}
