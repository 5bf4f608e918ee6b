// The Vault client as the host-touching commands open it: from the environment, like the vault CLI
// (VAULT_ADDR, VAULT_TOKEN or ~/.vault-token, VAULT_CACERT, …). No request is made yet. The client
// itself is the port the plays declare (structurally): no adapter in between.
import { homedir } from 'node:os'
import { createVaultClient, type VaultClient } from './client.js'
import { vaultConfigFromEnv } from './config.js'

export async function openSetupVault(env: Record<string, string | undefined>, homeDir: string = homedir()): Promise<VaultClient> {
  return createVaultClient(vaultConfigFromEnv(env, homeDir))
}
