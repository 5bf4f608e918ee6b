import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { alterRolePasswordSql, boundedAlterRoleSql, PASSWORD_SETTINGS_SQL } from '../../../src/db/role-sql.js'
import { cancelRequestPacket } from '../../../src/db/pg-cancel.js'

// pg's own escaping, as the client applies it.
const escaper = { escapeIdentifier: pg.escapeIdentifier, escapeLiteral: pg.escapeLiteral }

describe('alterRolePasswordSql', () => {
  it.each([
    ['authentik', 'SCRAM-SHA-256$4096:c2FsdA==$a:b', `ALTER ROLE "authentik" PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a:b'`],
    ['Mixed Case', 'md5abc', `ALTER ROLE "Mixed Case" PASSWORD 'md5abc'`],
    ['a"b', 'x', `ALTER ROLE "a""b" PASSWORD 'x'`],
    ['x"; DROP ROLE y; --', 'p', `ALTER ROLE "x""; DROP ROLE y; --" PASSWORD 'p'`],
    ['r', "it's", `ALTER ROLE "r" PASSWORD 'it''s'`],
    // pg writes a backslash-bearing literal as  E'…' (with its own leading space).
    ['r', 'back\\slash', `ALTER ROLE "r" PASSWORD  E'back\\\\slash'`],
    ['r', "'; DROP TABLE t; --", `ALTER ROLE "r" PASSWORD '''; DROP TABLE t; --'`],
  ])('role %j, literal %j', (role, literal, expected) => {
    expect(alterRolePasswordSql(escaper, role, literal)).toBe(expected)
  })

  it('the settings query takes the role as a parameter, never spliced in', () => {
    expect(PASSWORD_SETTINGS_SQL).toContain('rolname = $1')
    expect(PASSWORD_SETTINGS_SQL).toMatch(/^SELECT current_setting\('password_encryption'\) AS encryption, current_setting\('scram_iterations', true\) AS iterations/)
  })
})

describe('boundedAlterRoleSql', () => {
  it('one transaction: the bounds first (SET LOCAL, whole milliseconds), then the change, then COMMIT', () => {
    expect(boundedAlterRoleSql(escaper, 'authentik', 'md5abc', { lockTimeoutMs: 10_000, statementTimeoutMs: 30_000.4 }))
      .toBe(`BEGIN; SET LOCAL lock_timeout = 10000; SET LOCAL statement_timeout = 30000; ALTER ROLE "authentik" PASSWORD 'md5abc'; COMMIT`)
  })

  it('a bound of 0 would mean "no bound" to PostgreSQL: it becomes 1 ms', () => {
    expect(boundedAlterRoleSql(escaper, 'r', 'v', { lockTimeoutMs: 0, statementTimeoutMs: 0 })).toContain('lock_timeout = 1; SET LOCAL statement_timeout = 1;')
  })
})

describe('cancelRequestPacket', () => {
  it('is the protocol\'s 16 bytes: length, 80877102, process id, secret key', () => {
    expect(cancelRequestPacket(4242, -123456789).toString('hex')).toBe('00000010' + '04d2162e' + '00001092' + 'f8a432eb')
  })
})
