// Checks for the runbook's KV fields. A problem names the field and never the value (it may be a secret).

// Hostname (RFC 1123 labels) or IPv4 address.
export function hostProblem(v: string): string | undefined {
  if (v.length > 253 || !/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v)) {
    return 'must be a host name such as mydb.abc123.us-west-2.rds.amazonaws.com'
  }
  return undefined
}

// Per-field checks; RDS password rules from shared/reference/rotation-facts.md.
export const FIELD_CHECKS: Record<string, (v: string) => string | undefined> = {
  pg_host: hostProblem,
  pg_user: (v) => (/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(v) ? undefined : 'must be a PostgreSQL user name (letters, digits, _; up to 63)'),
  pg_name: (v) => (/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(v) ? undefined : 'must be a PostgreSQL database name (letters, digits, _; up to 63)'),
  pg_port: (v) => (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'must be a port number 1-65535'),
  pg_password: (v) =>
    v.length < 8 || v.length > 128 ? 'must have 8 to 128 characters (RDS for PostgreSQL)' : /^[\x21-\x7e]+$/.test(v) && !/[/"@]/.test(v) ? undefined : 'may hold printable ASCII except /, ", @ and space (RDS rule)',
  secret_key: (v) => (v.length < 50 ? 'must have at least 50 characters (Authentik)' : /^[\x21-\x7e]+$/.test(v) ? undefined : 'must be printable ASCII without spaces'),
}
