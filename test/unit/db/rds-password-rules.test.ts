import { describe, expect, it } from 'vitest'
import { rdsPasswordProblem } from '../../../src/db/rds-password-rules.js'
import { Secret } from '../../../src/util/secret.js'

describe('rdsPasswordProblem', () => {
  it.each([
    ['Abcdefgh12345678Abcdefgh12345678', undefined],
    ['12345678', undefined],
    ['!#$%&\'()*+,-.:;<=>?[\\]^_`{|}~', undefined],
    ['1234567', 'it has 7 characters; RDS for PostgreSQL takes 8 to 128'],
    ['a'.repeat(129), 'it has 129 characters; RDS for PostgreSQL takes 8 to 128'],
    ['with space', 'it has a character outside printable ASCII (or a space)'],
    ['tab\there!', 'it has a character outside printable ASCII (or a space)'],
    ['päss-word', 'it has a character outside printable ASCII (or a space)'],
    ['a/b"c@d-long', "it contains '/', '\"', '@', which RDS refuses"],
    ['user@example', "it contains '@', which RDS refuses"],
  ])('%j → %s', (password, problem) => {
    expect(rdsPasswordProblem(new Secret(password))).toBe(problem)
  })
})
