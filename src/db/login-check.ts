// A real login to PostgreSQL with a given password: the rotation's proof, before and after the change,
// that the database accepts the password Vault holds (and refuses the old one).
import { DatabaseError } from '../errors.js'
import type { DbEndpoint, DbLogin, LoginInfo } from './db-types.js'
import { connectPg } from './pg-connect.js'
import { pgFailure } from './pg-error.js'
import { LOGIN_INFO_SQL, type LoginInfoRow } from './role-sql.js'

// The outcome of a login attempt the server answered: accepted, or the password/user refused.
export type LoginCheck = { ok: true; info: LoginInfo } | { ok: false; message: string }

// Logs in, asks who we are, logs out; throws a DatabaseError if it could not even ask (no route, TLS).
export async function checkLogin(endpoint: DbEndpoint, login: DbLogin, signal?: AbortSignal): Promise<LoginCheck> {
  try {
    return { ok: true, info: await verifyLogin(endpoint, login, signal) }
  } catch (error) {
    if (error instanceof DatabaseError && error.reason === 'login-refused') return { ok: false, message: error.message }
    throw error
  }
}

// Logs in and returns what the session saw; DatabaseError('login-refused') when the password is refused.
export async function verifyLogin(endpoint: DbEndpoint, login: DbLogin, signal?: AbortSignal): Promise<LoginInfo> {
  const client = await connectPg(endpoint, login, signal)
  try {
    const result = await client.query<LoginInfoRow>(LOGIN_INFO_SQL)
    const row = result.rows[0]
    if (row === undefined) throw new Error('the login query returned no row')
    return { user: row.login, serverVersion: row.version, tls: row.tls }
  } catch (error) {
    throw pgFailure(error, 'query after logging in', endpoint, login.user, [login.password])
  } finally {
    await client.end().catch(() => undefined)
  }
}
