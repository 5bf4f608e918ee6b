// The SQL of the password change, built as exact strings: DDL takes no $1 parameters, so the role is an
// escaped identifier and the verifier an escaped literal (pg's own escaping, as the client applies it).

// pg's escaping, which both pg.Client and the pg module itself provide.
export interface SqlEscaper {
  escapeIdentifier(text: string): string
  escapeLiteral(text: string): string
}

// What the password change needs to know first: the server's password_encryption and scram_iterations
// (NULL before PostgreSQL 16), who we are, whether we may alter other roles, and whether the role exists.
export const PASSWORD_SETTINGS_SQL = [
  'SELECT current_setting(\'password_encryption\') AS encryption,',
  'current_setting(\'scram_iterations\', true) AS iterations,',
  'current_user AS login,',
  '(SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) AS may_alter_others,',
  'EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role_exists',
].join(' ')

// The row PASSWORD_SETTINGS_SQL returns.
export interface PasswordSettingsRow {
  encryption: string
  iterations: string | null
  login: string
  may_alter_others: boolean | null
  role_exists: boolean
}

// ALTER ROLE "<role>" PASSWORD '<verifier>': the verifier is stored as given (it is already hashed).
export function alterRolePasswordSql(escaper: SqlEscaper, role: string, verifier: string): string {
  return `ALTER ROLE ${escaper.escapeIdentifier(role)} PASSWORD ${escaper.escapeLiteral(verifier)}`
}

// Server-side bounds on the change: lock_timeout ends a wait for a lock another session holds on the role,
// statement_timeout a statement that runs too long; either rolls the transaction back.
export interface StatementBounds {
  lockTimeoutMs: number
  statementTimeoutMs: number
}

// The change as one transaction with its bounds set first (SET LOCAL: they end with it), sent as one query.
export function boundedAlterRoleSql(escaper: SqlEscaper, role: string, verifier: string, bounds: StatementBounds): string {
  const ms = (value: number): number => Math.max(1, Math.round(value))
  return ['BEGIN', `SET LOCAL lock_timeout = ${ms(bounds.lockTimeoutMs)}`, `SET LOCAL statement_timeout = ${ms(bounds.statementTimeoutMs)}`, alterRolePasswordSql(escaper, role, verifier), 'COMMIT'].join('; ')
}

// The login check's one query: who we are, the server version, and whether the session is encrypted.
export const LOGIN_INFO_SQL =
  'SELECT current_user AS login, current_setting(\'server_version\') AS version, COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS tls'

// The row LOGIN_INFO_SQL returns.
export interface LoginInfoRow {
  login: string
  version: string
  tls: boolean
}
