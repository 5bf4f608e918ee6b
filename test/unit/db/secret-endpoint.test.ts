// The database as Vault's secret names it: fields checked by name (never showing a value), TLS mapped.
import { describe, expect, it } from 'vitest'
import { parseDatabaseSecret, secretEndpoint, sslModeOf } from '../../../src/db/secret-endpoint.js'
import { ConfigError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

const data = (fields: Record<string, string>): Record<string, Secret> => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, new Secret(v)]))
const full = { pg_host: 'db.example.internal', pg_user: 'authentik', pg_password: 'p4ssw0rdSENTINEL', pg_name: 'authentik', pg_port: '5433' }

describe('parseDatabaseSecret', () => {
  it('reads the fields; the password stays a Secret', () => {
    const s = parseDatabaseSecret(data(full), 'secret/x/database')
    expect({ ...s, data: undefined, password: s.password.reveal() }).toEqual({ host: 'db.example.internal', port: 5433, database: 'authentik', user: 'authentik', password: 'p4ssw0rdSENTINEL', data: undefined })
  })

  it('pg_port defaults to 5432', () => {
    const { pg_port: _, ...rest } = full
    expect(parseDatabaseSecret(data(rest), 'p').port).toBe(5432)
  })

  it.each([
    [{ pg_password: undefined }, 'secret/x/database has no pg_password'],
    [{ pg_host: undefined }, 'secret/x/database has no pg_host'],
    [{ pg_host: 'not a host' }, 'secret/x/database: pg_host must be a host name'],
    [{ pg_port: '99999' }, 'secret/x/database: pg_port must be a port number 1-65535'],
    [{ pg_user: 'a-b' }, 'secret/x/database: pg_user must be a PostgreSQL user name'],
  ])('%j: %s', (change, message) => {
    const fields = Object.fromEntries(Object.entries({ ...full, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>
    const error = (() => {
      try {
        parseDatabaseSecret(data(fields), 'secret/x/database')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain(message)
    expect((error as Error).message).not.toContain('SENTINEL')
  })
})

describe('TLS', () => {
  it.each([['disable', 'disable'], ['allow', 'prefer'], ['prefer', 'prefer'], ['require', 'require'], ['verify-ca', 'verify-ca'], ['verify-full', 'verify-full']] as const)('pg_sslmode %s → %s', (mode, ssl) => {
    expect(sslModeOf(mode)).toBe(ssl)
  })

  it('the endpoint carries the CA and the route', () => {
    const via = { name: 'h1', open: () => Promise.reject(new Error('unused')) }
    expect(secretEndpoint(parseDatabaseSecret(data(full), 'p'), { sslMode: 'verify-full', ca: 'PEM' }, via)).toEqual({ host: 'db.example.internal', port: 5433, database: 'authentik', sslMode: 'verify-full', ca: 'PEM', via })
  })
})
