// Values a user provides (key=value from a file or stdin) and the checks of the runbook's fields:
// errors name the file:line or the field, never the value.
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { FIELD_CHECKS } from '../../../src/secrets/runbook-fields.js'
import { parseValues, readValuesFile } from '../../../src/secrets/values-file.js'

const FIELDS = ['pg_host', 'pg_password', 'secret_key']

describe('parseValues', () => {
  it('takes key=value lines verbatim after the first =, skipping comments and blank lines', () => {
    const m = parseValues('# c\n\npg_host=db.example.com\r\npg_password=a=b c \n', 'f', FIELDS)
    expect([...m.keys()]).toEqual(['pg_host', 'pg_password'])
    expect(m.get('pg_password')?.reveal()).toBe('a=b c ')
    expect(String(m.get('pg_password'))).toBe('<redacted>')
  })

  it.each([
    ['pg_password\n', 'f:1: expected key=value'],
    ['x=1\n', 'f:1: unknown field "x"'],
    ['pg_host=a\npg_host=b\n', 'f:2: pg_host is given twice'],
  ])('%j fails with %s', (text, message) => {
    expect(() => parseValues(text, 'f', FIELDS)).toThrow(ConfigError)
    expect(() => parseValues(text, 'f', FIELDS)).toThrow(message)
  })

  it('reads stdin for "-" and names an unreadable file', async () => {
    expect((await readValuesFile('-', FIELDS, Readable.from(['pg_host=h.example.com\n']))).get('pg_host')?.reveal()).toBe('h.example.com')
    await expect(readValuesFile('/nonexistent/values', FIELDS)).rejects.toThrow('--from-file /nonexistent/values cannot be read (ENOENT)')
  })
})

describe('FIELD_CHECKS', () => {
  it.each([
    ['pg_host', 'mydb.abc123.us-west-2.rds.amazonaws.com', true],
    ['pg_host', 'bad host', false],
    ['pg_host', '-leading.example.com', false],
    ['pg_port', '5432', true],
    ['pg_port', '70000', false],
    ['pg_user', 'authentik', true],
    ['pg_user', 'a-b', false],
    ['pg_password', 'Abcdefgh1234', true],
    ['pg_password', 'short', false],
    ['pg_password', 'with@sign1234', false],
    ['pg_password', 'with/slash1234', false],
    ['pg_password', 'with space1234', false],
    ['pg_password', 'x'.repeat(129), false],
    ['secret_key', 'k'.repeat(50), true],
    ['secret_key', 'k'.repeat(49), false],
  ])('%s %j valid: %s', (field, value, valid) => {
    const problem = FIELD_CHECKS[field]!(value)
    expect(problem === undefined).toBe(valid)
    if (problem) expect(problem).not.toContain(value)
  })
})
