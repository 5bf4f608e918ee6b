import { describe, expect, it } from 'vitest'
import { parsePythonValue, UnsupportedLiteralError } from '../../../src/inventory/python-literal.js'

// [input text (after shlex / after the `:vars` split), expected value] — reference §3 and §4 tables.
const CASES: Array<[string, unknown]> = [
  ['42', 42], ['-5', -5], ['+7', 7], ['- 5', -5], ['-(5)', -5], ['1.5', 1.5], ['1e3', 1000], ['.5', 0.5], ['1.', 1],
  ['0x1F', 31], ['0o17', 15], ['0b101', 5], ['1_000', 1000], ['00', 0],
  ['01', '01'], ['0777', '0777'], ['1__0', '1__0'], ['--5', '--5'], ['-(-5)', '-(-5)'], ['-True', '-True'],
  ['True', true], ['False', false], ['None', null], ['true', 'true'], ['yes', 'yes'], ['null', 'null'], ['FALSE', 'FALSE'],
  ["'42'", '42'], ['"x y"', 'x y'], ["'True'", 'True'], ["'a' 'b'", 'ab'], ["'a' \"b\"", 'ab'], ["u'x'", 'x'], ["b'xy'", 'xy'],
  ["r'a\\nb'", 'a\\nb'], ["'a\\nb'", 'a\nb'], ["'\\x41\\101\\u00e9'", 'AAé'], ["'\\q'", '\\q'], ["'''tri'''", 'tri'],
  ["'a' b'b'", "'a' b'b'"], ["f'x'", "f'x'"], ["'unterminated", "'unterminated"], ["'\\xZZ'", "'\\xZZ'"],
  ['(1,2)', [1, 2]], ['(1,)', [1]], ['()', []], ['(1)', 1], ['[1, 2]', [1, 2]], ['[1, 2,]', [1, 2]], ['[]', []],
  ["{'a': 1}", { a: 1 }], ['{}', {}], ["{'a': {'b': [1, 'two', None]}}", { a: { b: [1, 'two', null] } }], ['{1: 2, None: 3}', { '1': 2, null: 3 }],
  ['8080 # comment', 8080], ['abc # trailing comment', 'abc # trailing comment'], ['  42', 42],
  ['', ''], ['hello world', 'hello world'], ['a#b', 'a#b'], ['{a:1}', '{a:1}'], ['[1, 2', '[1, 2'], ['1 2', '1 2'],
  ['inf', 'inf'], ['1+2', '1+2'], ['x', 'x'], ['set', 'set'], ['1 if 1 else 2', '1 if 1 else 2'], ['03#pa33w0rd', '03#pa33w0rd'],
]

describe('parsePythonValue (ast.literal_eval, falling back to the text)', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(parsePythonValue(text)).toStrictEqual(expected)
  })

  it.each(['{1, 2}', 'set()', '1j', '1+2j', '{[1]: 2}'])('refuses %s, which ansible-inventory cannot print', (text) => {
    expect(() => parsePythonValue(text)).toThrow(UnsupportedLiteralError)
  })

  it('keeps __proto__ as an ordinary key', () => {
    const value = parsePythonValue("{'__proto__': 1}") as Record<string, unknown>
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
  })
})
