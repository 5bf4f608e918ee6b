// The database port the password rotation uses: where PostgreSQL is, how to reach it, and the one
// interface both ways of changing the password (RDS API, SQL) implement.
import type { Duplex } from 'node:stream'
import type { Secret } from '../util/secret.js'

// TLS towards PostgreSQL, named after libpq's sslmode: RDS for PostgreSQL 15+ refuses plain connections.
// prefer: TLS without checks, plain when the server has no TLS; verify-ca: the CA but not the host name.
export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'

// Opens a byte stream to host:port by another route than a direct TCP connection (an SSH tunnel).
export type StreamOpener = (host: string, port: number) => Promise<Duplex>

// A route through another machine: its name for messages, and how to open a stream through it.
export interface DbVia {
  name: string
  open: StreamOpener
}

// Where the database is and how to reach it; the same endpoint serves the change and the login checks.
export interface DbEndpoint {
  host: string
  port: number
  database: string
  sslMode: SslMode
  // PEM of the CA(s) that sign the server certificate, for verify-full (RDS: the global bundle).
  ca?: string
  via?: DbVia
  // Bounds on reaching it (pg's connect timeout) and, through a --via tunnel, on a route that goes silent.
  connectTimeoutMs?: number
  idleTimeoutMs?: number
}

// A login to the database; the password never leaves its Secret except into the wire protocol.
export interface DbLogin {
  user: string
  password: Secret
}

// What a successful login saw (no secrets), for the play's report.
export interface LoginInfo {
  user: string
  serverVersion: string
  tls: boolean
}

// One observation while waiting for a change to be applied.
export interface ApplyProgress {
  status: string
  pending: boolean
  elapsedMs: number
}

// How long and how often to wait for a change, where to report progress, and how to stop early.
export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  signal?: AbortSignal
  onProgress?: (progress: ApplyProgress) => void
}

// What a changer found before changing anything (no secrets).
export interface PreflightInfo {
  // What will be changed, e.g. "RDS instance cwiq-shared-authentik-postgres (master user authentik)".
  target: string
  status: string
  // The login whose password changes (RDS: the master user), to compare with pg_user in Vault.
  user: string
  // Where the database listens (RDS: the instance endpoint), to compare with pg_host in Vault.
  endpoint?: { host: string; port: number }
}

// Changes the application's database password; preflight fails before anything is changed when the
// change cannot succeed (no such instance, password managed by Secrets Manager, no privilege).
export interface DbPasswordChanger {
  readonly method: 'rds' | 'sql'
  preflight(signal?: AbortSignal): Promise<PreflightInfo>
  changePassword(newPassword: Secret, signal?: AbortSignal): Promise<void>
  // Resolves once the new password is in effect; DatabaseError('timeout') past the bound.
  waitApplied(options?: WaitOptions): Promise<void>
  close(): Promise<void>
}
