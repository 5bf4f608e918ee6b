// One pg connection to an endpoint: TLS as its sslmode says, directly or through a tunnel, bounded in
// time and stoppable; the password is handed to pg as a callback so no config object holds it.
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { ConnectionOptions } from 'node:tls'
import type pg from 'pg'
import { InterruptedError } from '../errors.js'
import type { DbEndpoint, DbLogin } from './db-types.js'
import { pgFailure } from './pg-error.js'
import { TunnelSocket } from './tunnel-socket.js'

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
// Longer than the change's statement_timeout (sql-changer.ts), which a healthy server answers within.
const DEFAULT_IDLE_TIMEOUT_MS = 60_000

// pg's `ssl` option for an sslmode: prefer and require encrypt without checking the certificate, verify-ca
// checks the chain but not the name (libpq's meanings).
export function sslOption(endpoint: DbEndpoint): false | ConnectionOptions {
  if (endpoint.sslMode === 'disable') return false
  if (endpoint.sslMode === 'require' || endpoint.sslMode === 'prefer') return { rejectUnauthorized: false }
  const ca = endpoint.ca === undefined ? {} : { ca: endpoint.ca }
  return endpoint.sslMode === 'verify-ca' ? { rejectUnauthorized: true, ...ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: true, ...ca }
}

// What pg says when the server answers the TLS request with "no TLS here".
const NO_TLS = /does not support SSL/

// A connected client, or a DatabaseError naming the login and the route; the caller ends it. With
// sslmode prefer a server without TLS gets a plain connection, as libpq does.
export async function connectPg(endpoint: DbEndpoint, login: DbLogin, signal?: AbortSignal): Promise<pg.Client> {
  if (endpoint.sslMode !== 'prefer') return connectOnce(endpoint, login, signal)
  try {
    return await connectOnce(endpoint, login, signal)
  } catch (error) {
    if (!NO_TLS.test(String((error as Error).message))) throw error
    return connectOnce({ ...endpoint, sslMode: 'disable' }, login, signal)
  }
}

async function connectOnce(endpoint: DbEndpoint, login: DbLogin, signal?: AbortSignal): Promise<pg.Client> {
  const { default: pgModule } = await import('pg')
  const via = endpoint.via
  // The stream is ours (a plain socket as pg would make, or the tunnel) so that an interrupt can cut it.
  let stream: Duplex | undefined
  const client = new pgModule.Client({
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: login.user,
    password: () => login.password.reveal(),
    ssl: sslOption(endpoint),
    application_name: 'authctl',
    connectionTimeoutMillis: endpoint.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    stream: () => (stream = via === undefined ? new Socket() : new TunnelSocket(via.open, { name: via.name, idleTimeoutMs: endpoint.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS })),
  })
  // A connection lost later (server restart) must not crash the process; the next query reports it.
  client.on('error', () => undefined)
  const onAbort = (): void => void stream?.destroy(new InterruptedError('interrupted while connecting to the database'))
  try {
    if (signal?.aborted) throw new InterruptedError('interrupted before connecting to the database')
    signal?.addEventListener('abort', onAbort, { once: true })
    await client.connect()
    if (signal?.aborted) throw new InterruptedError('interrupted while connecting to the database')
    return client
  } catch (error) {
    await client.end().catch(() => undefined)
    throw pgFailure(signal?.aborted ? new InterruptedError('interrupted while connecting to the database') : error, 'log in', endpoint, login.user, [login.password])
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}
