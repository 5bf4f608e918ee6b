// The throwaway PostgreSQL cluster works for what the rotation work needs: a role with a password,
// logging in as it, and changing that password (DDL, so escaped literals rather than $1 params).
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type Postgres } from '../support/postgres.js'
import { isAlive } from '../support/testbed/processes.js'

describe('startPostgres', () => {
  let server: Postgres

  beforeAll(async () => {
    server = await startPostgres()
  })

  afterAll(async () => {
    await server.stop()
  })

  const loginAs = async (user: string, password: string): Promise<string> => {
    const client = new pg.Client({ host: server.host, port: server.port, user, password, database: server.database })
    await client.connect()
    try {
      const result = await client.query<{ who: string; version: string }>('SELECT current_user AS who, current_setting(\'server_version_num\') AS version')
      expect(result.rows[0]?.version.startsWith('15')).toBe(true)
      return result.rows[0]?.who ?? ''
    } finally {
      await client.end()
    }
  }

  it('listens on loopback only, with a password-protected superuser', async () => {
    expect(server.host).toBe('127.0.0.1')
    const admin = new pg.Client({ connectionString: server.connectionString })
    await admin.connect()
    const settings = await admin.query<{ listen: string; superuser: string }>(
      "SELECT current_setting('listen_addresses') AS listen, current_setting('is_superuser') AS superuser")
    await admin.end()
    expect(settings.rows[0]).toEqual({ listen: '127.0.0.1', superuser: 'on' })
    await expect(loginAs(server.user, 'wrong-password')).rejects.toThrow(/password authentication failed/)
  })

  it('creates a role with a password, logs in as it, and changes the password', async () => {
    const role = 'authentik "rotation" user'
    const first = "it's-a-first-password"
    const second = 'second;password\'"--'
    const admin = new pg.Client({ connectionString: server.connectionString })
    await admin.connect()
    try {
      await admin.query(`CREATE ROLE ${admin.escapeIdentifier(role)} LOGIN PASSWORD ${admin.escapeLiteral(first)}`)
      expect(await loginAs(role, first)).toBe(role)
      await admin.query(`ALTER ROLE ${admin.escapeIdentifier(role)} PASSWORD ${admin.escapeLiteral(second)}`)
    } finally {
      await admin.end()
    }
    await expect(loginAs(role, first)).rejects.toThrow(/password authentication failed/)
    expect(await loginAs(role, second)).toBe(role)
  })

  it('stop() ends the server process and frees its port', async () => {
    const other = await startPostgres()
    expect(isAlive(other.pid)).toBe(true)
    await other.stop()
    expect(isAlive(other.pid)).toBe(false)
    const client = new pg.Client({ connectionString: other.connectionString, connectionTimeoutMillis: 2_000 })
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/)
  })
})
