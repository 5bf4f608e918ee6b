// The password change through SQL: log in (directly or through an SSH tunnel), read the server's
// password_encryption, and ALTER ROLE with a verifier computed here, so the plain text never travels.
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { ConfigError, DatabaseError, InterruptedError } from '../errors.js'
import type { Secret } from '../util/secret.js'
import type { DbEndpoint, DbLogin, DbPasswordChanger, PreflightInfo, WaitOptions } from './db-types.js'
import { connectPg } from './pg-connect.js'
import { describeLogin, pgFailure } from './pg-error.js'
import { verifierFor } from './password-verifier.js'
import { sendCancel } from './pg-cancel.js'
import { boundedAlterRoleSql, PASSWORD_SETTINGS_SQL, type PasswordSettingsRow, type StatementBounds } from './role-sql.js'

// How long ALTER ROLE may wait for a lock another session holds on the role, and may run at all.
export const DEFAULT_BOUNDS: StatementBounds = { lockTimeoutMs: 10_000, statementTimeoutMs: 30_000 }

// After a cancel, how long to wait for the server to end the statement before giving up on knowing.
const CANCEL_WAIT_MS = 5_000

// Who logs in to make the change (the role itself, or an admin), and whose password changes.
export interface SqlChangerOptions {
  endpoint: DbEndpoint
  login: DbLogin
  // Default: the login's own user, which PostgreSQL lets change its own password.
  role?: string
  // Default: DEFAULT_BOUNDS.
  bounds?: StatementBounds
}

const LOCK_NOT_AVAILABLE = '55P03'
const QUERY_CANCELED = '57014'

// The SQLSTATE of an error the server sent (the statement failed and was rolled back), else undefined.
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

// DbPasswordChanger for `--method sql`.
export class SqlPasswordChanger implements DbPasswordChanger {
  readonly method = 'sql'
  readonly #role: string

  constructor(private readonly opts: SqlChangerOptions) {
    this.#role = opts.role ?? opts.login.user
  }

  async preflight(signal?: AbortSignal): Promise<PreflightInfo> {
    await this.#withClient(signal, 'check', async (_client, settings) => settings)
    const { endpoint, login } = this.opts
    return { target: `PostgreSQL role ${this.#role} at ${describeLogin(endpoint, login.user)}`, status: 'available', user: this.#role, endpoint: { host: endpoint.host, port: endpoint.port } }
  }

  async changePassword(newPassword: Secret, signal?: AbortSignal): Promise<void> {
    await this.#withClient(signal, 'change the password', async (client, settings) => {
      const iterations = settings.iterations === null ? undefined : Number(settings.iterations)
      const verifier = verifierFor(settings.encryption, this.#role, newPassword, iterations)
      try {
        await this.#cancellable(client, boundedAlterRoleSql(client, this.#role, verifier, this.#bounds), signal)
      } catch (error) {
        throw this.#alterFailure(error, [newPassword, verifier, this.opts.login.password])
      }
    }, [newPassword])
  }

  get #bounds(): StatementBounds {
    return this.opts.bounds ?? DEFAULT_BOUNDS
  }

  // Runs the change; Ctrl-C sends PostgreSQL a cancel request and waits for the server's answer, which
  // says whether it committed (resolves) or rolled back (InterruptedError, nothing changed).
  async #cancellable(client: pg.Client, sql: string, signal: AbortSignal | undefined): Promise<void> {
    const running = client.query(sql)
    if (signal === undefined) return void (await running)
    running.catch(() => undefined)
    let onAbort = (): void => undefined
    const aborted = new Promise<void>((resolve) => (onAbort = resolve))
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const first = await Promise.race([running.then(() => 'done' as const), aborted.then(() => 'aborted' as const)])
      if (first === 'done') return
      const backend = client as unknown as { processID: number | null; secretKey: number | null }
      if (backend.processID !== null && backend.secretKey !== null) void sendCancel(this.opts.endpoint, backend.processID, backend.secretKey)
      const settled = await Promise.race([running.then(() => 'committed' as const, (error: unknown) => error), sleep(CANCEL_WAIT_MS, undefined, { ref: false }).then(() => 'no answer' as const)])
      if (settled === 'committed') return
      if (settled === 'no answer') {
        // the connection is useless now; ending it politely could wait on a stalled route
        ;(client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
        throw new InterruptedError(`interrupted while ALTER ROLE ${this.#role} ran; the server did not confirm the cancel within ${CANCEL_WAIT_MS / 1000} s, so whether the password changed is unknown (statement_timeout ends it within ${Math.round(this.#bounds.statementTimeoutMs / 1000)} s)`)
      }
      if (sqlState(settled) === undefined) throw settled
      throw new InterruptedError(`interrupted: ALTER ROLE ${this.#role} was cancelled and rolled back; the password was not changed`)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  // lock_timeout and statement_timeout roll the change back: a busy database, nothing changed ('state').
  #alterFailure(error: unknown, secrets: Array<Secret | string>): Error {
    const { endpoint, login } = this.opts
    const where = describeLogin(endpoint, login.user)
    const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`
    if (sqlState(error) === LOCK_NOT_AVAILABLE) {
      return new DatabaseError(`ALTER ROLE ${this.#role} on ${where} waited more than ${seconds(this.#bounds.lockTimeoutMs)} (lock_timeout) for a lock another session holds on the role; it was rolled back, nothing was changed`, {
        reason: 'state', hint: 'Another session has an open transaction that changed this role: find it (SELECT pid, state, query FROM pg_stat_activity joined with pg_locks), let it finish or end it, then retry.',
      })
    }
    if (sqlState(error) === QUERY_CANCELED) {
      return new DatabaseError(`ALTER ROLE ${this.#role} on ${where} ran longer than ${seconds(this.#bounds.statementTimeoutMs)} (statement_timeout); it was rolled back, nothing was changed`, {
        reason: 'state', hint: 'The database is overloaded or blocked: check pg_stat_activity, then retry.',
      })
    }
    return pgFailure(error, `ALTER ROLE ${this.#role}`, endpoint, login.user, secrets)
  }

  // ALTER ROLE takes effect at commit: there is nothing to wait for.
  async waitApplied(options: WaitOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new InterruptedError('interrupted')
    options.onProgress?.({ status: 'available', pending: false, elapsedMs: 0 })
  }

  async close(): Promise<void> {}

  async #withClient(signal: AbortSignal | undefined, what: string, work: (client: pg.Client, settings: PasswordSettingsRow) => Promise<unknown>, secrets: Secret[] = []): Promise<void> {
    const { endpoint, login } = this.opts
    const client = await connectPg(endpoint, login, signal)
    try {
      let settings: PasswordSettingsRow | undefined
      try {
        settings = (await client.query<PasswordSettingsRow>(PASSWORD_SETTINGS_SQL, [this.#role])).rows[0]
      } catch (error) {
        throw pgFailure(error, `read the password settings to ${what}`, endpoint, login.user, [login.password, ...secrets])
      }
      if (settings === undefined) throw new DatabaseError('the password settings query returned no row', { reason: 'refused' })
      this.#check(settings)
      if (signal?.aborted) throw new InterruptedError(`interrupted before the database password was changed`)
      await work(client, settings)
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  #check(settings: PasswordSettingsRow): void {
    const where = describeLogin(this.opts.endpoint, this.opts.login.user)
    if (!settings.role_exists) throw new ConfigError(`role ${this.#role} does not exist on ${where}`, { hint: 'Check pg_user in the Vault database secret (or the role given to authctl).' })
    if (settings.login !== this.#role && settings.may_alter_others !== true) {
      throw new DatabaseError(`${settings.login} may not change the password of role ${this.#role} on ${where}`, {
        reason: 'refused', hint: 'Log in as the role itself, a superuser or a CREATEROLE role.',
      })
    }
  }
}
