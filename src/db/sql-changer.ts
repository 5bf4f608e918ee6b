// The password change through SQL: log in (directly or through an SSH tunnel), read the server's
// password_encryption, and ALTER ROLE with a verifier computed here, so the plain text never travels.
import type pg from 'pg'
import { ConfigError, DatabaseError, InterruptedError } from '../errors.js'
import type { Secret } from '../output/secret.js'
import type { DbEndpoint, DbLogin, DbPasswordChanger, PreflightInfo, WaitOptions } from './db-types.js'
import { connectPg } from './pg-connect.js'
import { describeLogin, pgFailure } from './pg-error.js'
import { verifierFor } from './password-verifier.js'
import { alterRolePasswordSql, PASSWORD_SETTINGS_SQL, type PasswordSettingsRow } from './role-sql.js'

// Who logs in to make the change (the role itself, or an admin), and whose password changes.
export interface SqlChangerOptions {
  endpoint: DbEndpoint
  login: DbLogin
  // Default: the login's own user, which PostgreSQL lets change its own password.
  role?: string
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
        await client.query(alterRolePasswordSql(client, this.#role, verifier))
      } catch (error) {
        throw pgFailure(error, `ALTER ROLE ${this.#role}`, this.opts.endpoint, this.opts.login.user, [newPassword, verifier, this.opts.login.password])
      }
    }, [newPassword])
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
