// The Vault side of `authctl setup`, opened from the environment like the vault CLI. Declared here
// structurally (no import from plays/, which sits above vault/), it matches the play's SetupVault port.
import { homedir } from 'node:os'
import type { Secret } from '../output/secret.js'
import { createVaultClient, type VaultClient } from './client.js'
import { vaultConfigFromEnv } from './config.js'

// What the setup play calls: preflight, role-id, and the secret-id lifecycle by accessor.
export interface SetupVaultPort {
  preflight(): Promise<void>
  readRoleId(role: string): Promise<string>
  lookupSecretIdAccessor(role: string, accessor: string): Promise<{ expirationTime: Date | null } | null>
  createSecretId(role: string, opts: { metadata: Record<string, string> }): Promise<{ secretId: Secret; accessor: string }>
  destroySecretIdAccessor(role: string, accessor: string): Promise<void>
}

// Adapts a client to the port (an accessor that is already gone counts as destroyed).
export function setupVaultFrom(client: VaultClient): SetupVaultPort {
  return {
    preflight: async () => void (await client.preflight()),
    readRoleId: (role) => client.readRoleId(role),
    lookupSecretIdAccessor: (role, accessor) => client.lookupSecretIdAccessor(role, accessor),
    createSecretId: (role, opts) => client.createSecretId(role, { metadata: opts.metadata }),
    destroySecretIdAccessor: async (role, accessor) => void (await client.destroySecretIdAccessor(role, accessor)),
  }
}

// Reads VAULT_ADDR, VAULT_TOKEN / ~/.vault-token, VAULT_CACERT, … and returns the port; no request is made yet.
export async function openSetupVault(env: Record<string, string | undefined>, homeDir: string = homedir()): Promise<SetupVaultPort> {
  return setupVaultFrom(createVaultClient(vaultConfigFromEnv(env, homeDir)))
}
