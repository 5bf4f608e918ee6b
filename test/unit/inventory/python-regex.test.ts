import { describe, expect, it } from 'vitest'
import { InvalidRegexError, pythonRegExp, UnsupportedRegexError } from '../../../src/inventory/python-regex.js'

describe("Python's regex syntax as a JavaScript RegExp (--limit ~regex)", () => {
  it.each([
    ['(?i)^WEB0[12]\\.', '^(?:^WEB0[12]\\.)', 'i'],
    ['(?i)(?sm)a', '^(?:a)', 'ims'],
    ['(?a)(?s)a', '^(?:a)', 's'],
    ['(?P<n>db)-(?P=n)', '^(?:(?<n>db)-\\k<n>)', ''],
    ['a(?#note)b', '^(?:ab)', ''],
    ['\\Aweb.*com\\Z', '^(?:(?<![\\s\\S])web.*com(?![\\s\\S]))', ''],
    ['[]a]x', '^(?:[\\]a]x)', ''],
    ['[^]a]', '^(?:[^\\]a])', ''],
    ['(?x) w e b # comment', '^(?:web)', ''],
    ['(?:a)(?=b)(?!c)(?<=d)(?<!e)', '^(?:(?:a)(?=b)(?!c)(?<=d)(?<!e))', ''],
  ])('%s', (python, source, flags) => {
    const re = pythonRegExp(python)
    expect(`/${re.source}/${re.flags}`).toBe(`/${source}/${flags}`)
  })

  it.each([
    ['(?>a)', 'the atomic group (?>...)'],
    ['(?(1)a|b)', 'the conditional group'],
    ['(?i:a)', 'the scoped flags (?i:...)'],
    ['(?-i:a)', 'the scoped flags (?-i:...)'],
    ['a++', 'the possessive quantifier ++'],
    ['a{2}+', 'the possessive quantifier }+'],
    ['\\N{DIGIT ONE}', 'the named character escape'],
  ])('%s is refused naming the part', (python, part) => {
    expect(() => pythonRegExp(python)).toThrow(UnsupportedRegexError)
    expect(() => pythonRegExp(python)).toThrow(part)
  })

  it.each(['a(?i)', '(?L)a', '(?<n>a)', '(', 'a)', '[a', '(?P<n>a)(?P=m)', '(?au)a'])('%s is invalid, as in Python', (python) => {
    expect(() => pythonRegExp(python)).toThrow(InvalidRegexError)
  })
})
