// One error hierarchy for authctl. Every expected failure is an AuthctlError subclass that carries
// its exit code and a hint saying who must act and how; anything else is a bug (exit 1).

// The documented exit codes, kept as one table (README "Exit codes" mirrors it).
export const EXIT_CODES = {
  ok: 0,
  bug: 1,
  hostFailed: 2,
  lockHeld: 3,
  unreachable: 4,
  config: 5,
  vault: 6,
  database: 7,
  interrupted: 130,
} as const

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

export interface ErrorOptions {
  hint?: string
  cause?: unknown
}

// Base of every expected failure: a short message, an optional hint, the original as `cause`.
export class AuthctlError extends Error {
  readonly exitCode: ExitCode = EXIT_CODES.bug
  readonly hint?: string

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.hint = options.hint
  }
}

// Bad flags, a malformed inventory, an invalid variable: the user must fix their input.
export class ConfigError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.config
}

// Vault unreachable, sealed, or refusing us before any host was touched.
export class VaultError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.vault
  readonly status?: number

  constructor(message: string, options: ErrorOptions & { status?: number } = {}) {
    super(message, options)
    this.status = options.status
  }
}

// The database or its control plane (RDS API, PostgreSQL) refused or failed a change or a login.
export class DatabaseError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.database
  // What went wrong, for a play that must tell a refused password from an unreachable server.
  readonly reason: DatabaseFailure

  constructor(message: string, options: ErrorOptions & { reason: DatabaseFailure }) {
    super(message, options)
    this.reason = options.reason
  }
}

// The kinds of DatabaseError: a refused login, no route or TLS failure, a busy instance, a refused
// request, a change that was not applied within its bound, or an answer that does not say whether the
// change was taken (RDS 5xx, throttling, an error it does not document).
export type DatabaseFailure = 'login-refused' | 'unreachable' | 'tls' | 'state' | 'refused' | 'timeout' | 'unknown'

// Another run holds the deploy lock on a host.
export class LockHeldError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.lockHeld
}

// A host could not be reached (TCP, handshake, host key, authentication).
export class UnreachableError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.unreachable
}

// A step failed on a reachable host.
export class HostFailedError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.hostFailed
}

// The operator pressed Ctrl-C or the process got SIGTERM.
export class InterruptedError extends AuthctlError {
  override readonly exitCode = EXIT_CODES.interrupted
}

// Our own fault: an invariant broke. Shown with a stack under --verbose.
export class BugError extends AuthctlError {}

// The exit code for any thrown value: ours carry one, anything else is a bug.
export function exitCodeOf(error: unknown): number {
  if (error instanceof AuthctlError) return error.exitCode
  const oclif = (error as { oclif?: { exit?: number } } | null)?.oclif
  if (typeof oclif?.exit === 'number') return oclif.exit === 2 ? EXIT_CODES.config : oclif.exit
  return EXIT_CODES.bug
}

// Several hosts failed in different ways: unreachable wins over failed, as in Ansible.
export function worstExitCode(codes: readonly number[]): number {
  const order: number[] = [EXIT_CODES.interrupted, EXIT_CODES.unreachable, EXIT_CODES.lockHeld, EXIT_CODES.hostFailed]
  for (const code of order) if (codes.includes(code)) return code
  return codes.find((c) => c !== 0) ?? EXIT_CODES.ok
}
