// The render input the golden files are made from: the runbook's defaults for one host.
import type { RenderInput } from '../../../src/render/render-input.js'

export const DEFAULT_INPUT: RenderInput = {
  hostName: 'authentik-1',
  authentikRoot: '/data/authentik',
  vaultAddr: 'https://vault.example.internal:8200',
  vaultKvMount: 'secret',
  vaultKvPath: 'cwiq/shared/authentik',
  vaultApprole: 'authentik',
  composeProject: 'authentik',
  authentikImage: 'ghcr.io/goauthentik/server:2026.2.2',
  vaultImage: 'hashicorp/vault:1.21.1',
}

// A syntactically PEM-shaped CA (content is not checked beyond its armour).
export const TEST_CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----\n'

// The secrets the runbook stores, keyed by KV v2 data path, for rendering .env.tpl.
export function runbookSecrets(values: Partial<Record<'pg_host' | 'pg_user' | 'pg_password' | 'pg_name' | 'secret_key', string>> = {}) {
  return {
    'secret/data/cwiq/shared/authentik/database': {
      pg_host: values.pg_host ?? 'cwiq-shared-authentik-postgres.xxxxx.us-west-2.rds.amazonaws.com',
      pg_user: values.pg_user ?? 'authentik',
      pg_password: values.pg_password ?? 'rds-password-1',
      pg_name: values.pg_name ?? 'authentik',
      pg_port: '5432',
    },
    'secret/data/cwiq/shared/authentik/config': { secret_key: values.secret_key ?? 'k'.repeat(64) },
  }
}
