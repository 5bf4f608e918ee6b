// Turns what pg, TLS, the network or a tunnel throws into a DatabaseError that says where it happened
// and what to do; the password (and its verifier) are cut out of every message.
import { AuthctlError, DatabaseError, InterruptedError, UnreachableError, type DatabaseFailure } from '../errors.js'
import { redact, type Secret } from '../util/secret.js'
import type { DbEndpoint } from './db-types.js'

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

// user@host:port/database [via host], how messages name a login.
export function describeLogin(endpoint: DbEndpoint, user: string): string {
  return `${user}@${endpoint.host}:${endpoint.port}/${endpoint.database}${endpoint.via ? ` via ${endpoint.via.name}` : ''}`
}

function classify(error: { code?: unknown; message?: unknown }): DatabaseFailure {
  const code = typeof error.code === 'string' ? error.code : ''
  const message = typeof error.message === 'string' ? error.message : ''
  if (code === '28P01' || code === '28000') return 'login-refused'
  if (code === '42501' || code === '42704' || /^(22|42)/.test(code)) return 'refused'
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || /\bSSL\b/.test(message)) return 'tls'
  return NETWORK_CODES.has(code) || /timeout|terminated|closed/i.test(message) ? 'unreachable' : 'refused'
}

const HINTS: Record<DatabaseFailure, string> = {
  'login-refused': 'Check the user and password in Vault; "no pg_hba.conf entry … no encryption" means the server requires TLS (--db-sslmode require).',
  unreachable: 'Check the database host and port, and that this machine (or the --via host) can reach it; from a bastion use --via HOST.',
  tls: 'The TLS handshake failed: for verify-full pass the CA bundle (RDS: the global-bundle.pem), or use sslmode require.',
  refused: 'The database refused the statement: the login needs to be the role itself, a superuser or a CREATEROLE role.',
  state: 'Wait until the database is available, then retry.',
  timeout: 'The change was not confirmed in time; check the database, then retry.',
  unknown: 'Whether the change was taken is unknown: authctl checks which password the database accepts and whether RDS is applying one before it rolls anything back.',
}

// The DatabaseError for a failure while doing `what` (e.g. "log in") on endpoint as user.
export function pgFailure(error: unknown, what: string, endpoint: DbEndpoint, user: string, secrets: Array<Secret | string>): AuthctlError {
  if (error instanceof InterruptedError) return error
  const raw = error instanceof Error ? error : new Error(String(error))
  const rawCode = (raw as { code?: unknown }).code
  // A tunnel that could not be opened: the --via host cannot reach the database.
  const reason = raw instanceof UnreachableError ? 'unreachable' : classify({ code: rawCode, message: raw.message })
  const code = typeof rawCode === 'string' ? ` [${rawCode}]` : ''
  const message = redact(`cannot ${what} as ${describeLogin(endpoint, user)}: ${raw.message}${code}`, secrets)
  return new DatabaseError(message, { reason, hint: HINTS[reason] })
}
