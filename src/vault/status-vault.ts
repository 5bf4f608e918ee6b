// The Vault side of `authctl status`: the role-id to compare with the deployed one, the host's
// secret-id by accessor, and the runbook's manual AppRole login, whose token is revoked at once.
import { homedir } from 'node:os'
import type { Secret } from '../util/secret.js'
import { createVaultClient, type VaultClient } from './client.js'
import { vaultConfigFromEnv } from './config.js'

// What a test login proved; the token itself is never kept.
export interface LoginTestResult {
  policies: string[]
  ttlSeconds: number
  // why the token could not be revoked (it then lives out its TTL)
  revokeError?: string
}

// What the status play asks Vault.
export interface StatusVaultPort {
  readonly addr: string
  readRoleId(role: string): Promise<string>
  lookupSecretIdAccessor(role: string, accessor: string): Promise<{ expirationTime: Date | null; metadata: Record<string, string> } | null>
  listSecretIdAccessors(role: string): Promise<string[]>
  loginTest(roleId: Secret, secretId: Secret): Promise<LoginTestResult>
}

// Adapts a client to the port.
export function statusVaultFrom(client: VaultClient): StatusVaultPort {
  return {
    addr: client.addr,
    readRoleId: (role) => client.readRoleId(role),
    lookupSecretIdAccessor: (role, accessor) => client.lookupSecretIdAccessor(role, accessor),
    listSecretIdAccessors: (role) => client.listSecretIdAccessors(role),
    loginTest: async (roleId, secretId) => {
      const login = await client.approleLogin(roleId.reveal(), secretId)
      const result: LoginTestResult = { policies: login.policies, ttlSeconds: login.leaseDuration }
      try {
        await client.withToken(login.clientToken).revokeSelf()
      } catch (error) {
        result.revokeError = (error as Error).message
      }
      return result
    },
  }
}

// Reads VAULT_ADDR, VAULT_TOKEN / ~/.vault-token, VAULT_CACERT, … like the vault CLI; no request yet.
export function openStatusVault(env: Record<string, string | undefined>, homeDir: string = homedir()): StatusVaultPort {
  return statusVaultFrom(createVaultClient(vaultConfigFromEnv(env, homeDir)))
}
