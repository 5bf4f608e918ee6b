// The typed variables the runbook's defaults give for database TLS and `vault bootstrap`.
export const RUNBOOK_VAULT_VARS = {
  pgSslmode: 'prefer',
  pgSslrootcert: undefined,
  vaultReadPolicy: 'cwiq-shared-authentik-read',
  vaultOperatorPolicy: 'authctl-operator',
  approle: { tokenPolicies: ['cwiq-shared-authentik-read'], tokenTtl: 3600, tokenMaxTtl: 14400, secretIdTtl: 2592000, secretIdNumUses: 0 },
  rdsInstanceId: 'cwiq-shared-authentik-postgres',
}
