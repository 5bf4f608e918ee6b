import { describe, expect, it } from 'vitest'
import { expandHostPattern, HostPatternError, parseAddress } from '../../../src/inventory/host-range.js'
import { shlexSplit, ShlexError } from '../../../src/inventory/shlex.js'

// [pattern, hosts, port] — reference §2.
const EXPANSIONS: Array<[string, string[], number | undefined]> = [
  ['www[1:3]', ['www1', 'www2', 'www3'], undefined],
  ['pad[08:10]', ['pad08', 'pad09', 'pad10'], undefined],
  ['db-[a:c]', ['db-a', 'db-b', 'db-c'], undefined],
  ['host[1:6:2]', ['host1', 'host3', 'host5'], undefined],
  ['r[1:2]n[a:b]', ['r1na', 'r1nb', 'r2na', 'r2nb'], undefined],
  ['alpha[y:B]', ['alphay', 'alphaz', 'alphaA', 'alphaB'], undefined],
  ['zero[:2]', ['zero0', 'zero1', 'zero2'], undefined],
  ['web[1:2]:2200', ['web1', 'web2'], 2200],
  ['host:2222', ['host'], 2222],
  ['10.0.0.9:2222', ['10.0.0.9'], 2222],
  ['[2001:db8::2]:2222', ['2001:db8::2'], 2222],
  ['2001:db8::2', ['2001:db8::2'], undefined],
  ['10.0.[1:2].1', ['10.0.1.1', '10.0.2.1'], undefined],
  ['plain.example.com', ['plain.example.com'], undefined],
  ['weird_:22', ['weird_:22'], undefined],
]

describe('expandHostPattern', () => {
  it.each(EXPANSIONS)('%s', (pattern, hosts, port) => {
    expect(expandHostPattern(pattern)).toEqual({ hosts, port })
  })

  it.each([
    ['bad[01:3]', 'equal-length begin and end formats'],
    ['bad[1:2:3:4]', 'begin:end or begin:end:step'],
    ['bad[1:]', 'must specify end value'],
    ['bad[c:a]', 'begin <= end'],
    ['bad[1:2', 'invalid host range'],
  ])('%s fails: %s', (pattern, message) => {
    expect(() => expandHostPattern(pattern)).toThrow(HostPatternError)
    expect(() => expandHostPattern(pattern)).toThrow(message)
  })

  it('parseAddress rejects what is not a host', () => {
    expect(parseAddress('a b')).toBeUndefined()
    expect(parseAddress('host-:22')).toBeUndefined()
  })
})

// [line, tokens] — shlex.split(line, comments=True), POSIX.
const TOKENS: Array<[string, string[]]> = [
  ['h1 a=1 b="x y"', ['h1', 'a=1', 'b=x y']],
  ['h s=#', ['h', 's=']],
  ['h hashy="a#b" # real comment', ['h', 'hashy=a#b']],
  ["h q='\"x y\"'", ['h', 'q="x y"']],
  ['h e= x=""', ['h', 'e=', 'x=']],
  ['h a\\ b', ['h', 'a b']],
  ['h d="a\\"b\\c"', ['h', 'd=a"b\\c']],
  ['h x=1 ; note', ['h', 'x=1', ';', 'note']],
]

describe('shlexSplit', () => {
  it.each(TOKENS)('%s', (line, tokens) => {
    expect(shlexSplit(line)).toEqual(tokens)
  })

  it.each([['h a="open', 'No closing quotation'], ['h a\\', 'No escaped character']])('%s fails: %s', (line, message) => {
    expect(() => shlexSplit(line)).toThrow(ShlexError)
    expect(() => shlexSplit(line)).toThrow(message)
  })
})
