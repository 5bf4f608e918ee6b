// After a host runs healthy: destroy the secret-ids it no longer uses (each already checked in Vault
// as minted for this host) and rewrite its record so it owes only those whose destroy failed.
import type { HostPaths } from '../stack/host-paths.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { recordFile } from './credentials.js'
import { writeFiles } from './host-steps.js'
import type { SecretIdVault } from './secret-id.js'
import type { RecordedSecretId } from './secret-id-record.js'

export interface SettleInput {
  role: string
  paths: HostPaths
  // the secret-id the host runs on now (stays in the record)
  current: RecordedSecretId
  owed: readonly string[]
  // write the record even when nothing was destroyed (it still names the current one as pending)
  rewrite?: boolean
  onDestroyed(accessor: string): void
  onFailed(accessor: string, message: string): void
}

// Returns what was destroyed and what is still owed (and recorded as such on the host).
export async function settleOwed(remote: RemoteHost, vault: SecretIdVault, input: SettleInput): Promise<{ destroyed: string[]; owed: string[] }> {
  const destroyed: string[] = []
  const owed: string[] = []
  for (const accessor of input.owed) {
    try {
      await vault.destroySecretIdAccessor(input.role, accessor)
      destroyed.push(accessor)
      input.onDestroyed(accessor)
    } catch (error) {
      owed.push(accessor)
      input.onFailed(accessor, `could not destroy secret-id accessor ${accessor}: ${(error as Error).message}; it stays recorded on the host and the next run retries (or: vault write auth/approle/role/${input.role}/secret-id-accessor/destroy secret_id_accessor=${accessor})`)
    }
  }
  if (destroyed.length > 0 || input.rewrite) await writeFiles(remote, [], [recordFile(input.paths, { current: input.current, owed })])
  return { destroyed, owed }
}
