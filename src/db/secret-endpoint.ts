// The database as Vault's database secret describes it (pg_host, pg_port, pg_name, pg_user, pg_password)
// with the inventory's TLS setting: the same database and login Authentik uses, for the rotation's checks.
import { ConfigError } from '../errors.js'
import type { PgSslmode } from '../inventory/authctl-vars.js'
import type { Secret } from '../util/secret.js'
import { FIELD_CHECKS } from '../secrets/runbook-fields.js'
import type { DbEndpoint, DbVia, SslMode } from './db-types.js'

// The secret's fields, the non-secret ones revealed; `data` is the whole version, for writing it back.
export interface DatabaseSecret {
  host: string
  port: number
  database: string
  user: string
  password: Secret
  data: Record<string, Secret>
}

const REQUIRED = ['pg_host', 'pg_user', 'pg_password', 'pg_name'] as const

// Reads the fields of one version; a missing or malformed one names the field (never a value).
export function parseDatabaseSecret(data: Record<string, Secret>, display: string): DatabaseSecret {
  const field = (name: string): string => {
    const value = data[name]
    if (value === undefined) throw new ConfigError(`${display} has no ${name}`, { hint: 'Create the runbook\'s fields first: authctl secrets init (and db set-host for pg_host).' })
    const problem = name === 'pg_password' ? undefined : FIELD_CHECKS[name]?.(value.reveal())
    if (problem !== undefined) throw new ConfigError(`${display}: ${name} ${problem}`, { hint: `Fix ${name} in Vault (authctl secrets init --force or db set-host).` })
    return value.reveal()
  }
  for (const name of REQUIRED) field(name)
  const port = data.pg_port === undefined ? 5432 : Number(field('pg_port'))
  return { host: field('pg_host'), port, database: field('pg_name'), user: field('pg_user'), password: data.pg_password as Secret, data }
}

// libpq's sslmode (what Authentik uses) as the login check honours it; allow tries TLS first here.
export function sslModeOf(mode: PgSslmode): SslMode {
  if (mode === 'allow') return 'prefer'
  return mode
}

// The endpoint for the secret's database over the given route, with the inventory's TLS and CA bundle.
export function secretEndpoint(secret: DatabaseSecret, tls: { sslMode: SslMode; ca?: string }, via?: DbVia): DbEndpoint {
  return {
    host: secret.host, port: secret.port, database: secret.database, sslMode: tls.sslMode,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }), ...(via === undefined ? {} : { via }),
  }
}
