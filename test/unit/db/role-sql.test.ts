import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { alterRolePasswordSql, PASSWORD_SETTINGS_SQL } from '../../../src/db/role-sql.js'

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
