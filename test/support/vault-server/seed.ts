// Performs the runbook's "Initial Setup" over HTTP against a Vault (test) server, plus the operator
// policy of the runbook's "Ansible Policy Requirement" and a token that carries it.
import { randomBytes } from 'node:crypto'

// The runbook's read policy (Step 1), verbatim.
export const READ_POLICY_NAME = 'cwiq-shared-authentik-read'
export const READ_POLICY = `path "secret/data/cwiq/shared/authentik/*" {
  capabilities = ["read", "list"]
}
path "secret/metadata/cwiq/shared/authentik/*" {
  capabilities = ["read", "list"]
}
`

// The operator (ansible user) policy: `+` matches one segment; `*` in the middle would be a literal.
export const OPERATOR_POLICY_NAME = 'authctl-operator'
export const OPERATOR_POLICY = `# runbook "Ansible Policy Requirement": + (single path segment), not *
path "auth/approle/role/+/role-id" {
  capabilities = ["read"]
}
path "auth/approle/role/+/secret-id" {
  capabilities = ["create", "update", "list"]
}
path "auth/approle/role/+/secret-id-accessor/lookup" {
  capabilities = ["update"]
}
path "auth/approle/role/+/secret-id-accessor/destroy" {
  capabilities = ["update"]
}
# runbook "Rotating Secrets" / "Verify Current Secret Values": kv get and kv patch
path "secret/data/cwiq/shared/authentik/*" {
  capabilities = ["read", "create", "update", "patch"]
}
path "secret/metadata/cwiq/shared/authentik/*" {
  capabilities = ["read", "list"]
}
path "sys/health" {
  capabilities = ["read"]
}
`

// The KV values of runbook Step 3; the test bed may override any of them.
export interface RunbookSecrets {
  pg_host: string
  pg_user: string
  pg_password: string
  pg_name: string
  pg_port: string
  secret_key: string
}

function alnum(n: number): string {
  return randomBytes(n * 2).toString('base64').replace(/[^a-zA-Z0-9]/g, '').slice(0, n)
}

async function call(addr: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  const parsed: unknown = text === '' ? null : JSON.parse(text)
  if (res.status >= 400) {
    const errors = (parsed as { errors?: string[] } | null)?.errors ?? []
    const err = new Error(`seed: ${method} ${path} -> ${res.status} ${errors.join('; ')}`)
    Object.assign(err, { status: res.status, errors })
    throw err
  }
  return parsed
}

// Runs the setup; returns the operator token and the role's role-id.
export async function seedRunbook(addr: string, rootToken: string, opts: { secrets?: Partial<RunbookSecrets> } = {}): Promise<{ operatorToken: string; roleId: string }> {
  try {
    await call(addr, rootToken, 'POST', 'sys/auth/approle', { type: 'approle' })
  } catch (e) {
    // `vault auth enable approle 2>/dev/null || echo "Already enabled"`
    if (!String((e as Error).message).includes('path is already in use')) throw e
  }
  await call(addr, rootToken, 'PUT', `sys/policies/acl/${READ_POLICY_NAME}`, { policy: READ_POLICY })
  await call(addr, rootToken, 'POST', 'auth/approle/role/authentik', {
    token_policies: READ_POLICY_NAME,
    token_ttl: '1h',
    token_max_ttl: '4h',
    secret_id_ttl: '720h',
    secret_id_num_uses: 0,
  })
  const secrets: RunbookSecrets = {
    pg_host: '127.0.0.1',
    pg_user: 'authentik',
    pg_password: alnum(32),
    pg_name: 'authentik',
    pg_port: '5432',
    secret_key: alnum(64),
    ...opts.secrets,
  }
  const { secret_key, ...database } = secrets
  await call(addr, rootToken, 'POST', 'secret/data/cwiq/shared/authentik/database', { data: database })
  await call(addr, rootToken, 'POST', 'secret/data/cwiq/shared/authentik/config', { data: { secret_key } })
  await call(addr, rootToken, 'PUT', `sys/policies/acl/${OPERATOR_POLICY_NAME}`, { policy: OPERATOR_POLICY })
  const created = (await call(addr, rootToken, 'POST', 'auth/token/create', { policies: [OPERATOR_POLICY_NAME], display_name: 'operator' })) as { auth: { client_token: string } }
  const role = (await call(addr, rootToken, 'GET', 'auth/approle/role/authentik/role-id')) as { data: { role_id: string } }
  return { operatorToken: created.auth.client_token, roleId: role.data.role_id }
}
