// What a hostile host can put in a string we print: each case is the raw input and the exact text shown.
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_BYTES, sanitizeRemote, sanitizeRemoteValue } from '../../../src/util/sanitize.js'

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b)
const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8')

describe('sanitizeRemote: terminal control', () => {
  it.each([
    ['plain text', 'alice@bastion (pid 42)', 'alice@bastion (pid 42)'],
    ['letters, CJK, emoji, combining marks', 'café 日本 😀 é', 'café 日本 😀 é'],
    ['OSC 52 clipboard write (BEL)', '\x1b]52;c;cm0gLXJmIH4K\x07', '\\x1b]52;c;cm0gLXJmIH4K\\x07'],
    ['OSC 52 clipboard write (ST)', 'x\x1b]52;c;cm0K\x1b\\y', 'x\\x1b]52;c;cm0K\\x1b\\y'],
    ['OSC 0 window title', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['OSC 8 hyperlink', '\x1b]8;;https://evil.test\x1b\\ok\x1b]8;;\x1b\\', '\\x1b]8;;https://evil.test\\x1b\\ok\\x1b]8;;\\x1b\\'],
    ['CSI clear screen and home', '\x1b[2J\x1b[H', '\\x1b[2J\\x1b[H'],
    ['CSI cursor up, erase line', 'real\x1b[1A\x1b[2Kfake', 'real\\x1b[1A\\x1b[2Kfake'],
    ['DCS string', '\x1bP1$r0m\x1b\\', '\\x1bP1$r0m\\x1b\\'],
    ['full reset ESC c', '\x1bc', '\\x1bc'],
    ['SGR colour is dropped', '\x1b[31mred\x1b[0m \x1b[1;38;5;196mX\x1b[m', 'red X'],
    ['SGR with colon sub-parameters is dropped', '\x1b[38:2:255:0:0mX', 'X'],
    ['unterminated SGR is shown', 'a\x1b[31', 'a\\x1b[31'],
    ['lone ESC at the end', 'a\x1b', 'a\\x1b'],
    ['ESC ESC [31m', '\x1b\x1b[31mz', '\\x1bz'],
    ['bell', 'ding\x07', 'ding\\x07'],
    ['backspace overwrite', 'FAILED\b\b\b\b\b\bok    ', 'FAILED\\x08\\x08\\x08\\x08\\x08\\x08ok    '],
    ['carriage-return overwrite', 'lock held by mallory\rlock free            ', 'lock held by mallory\\rlock free            '],
    ['NUL, DEL, vertical tab, form feed', 'a\0b\x7fc\vd\fe', 'a\\x00b\\x7fc\\x0bd\\x0ce'],
    ['newline and tab shown by default', 'a\nb\tc', 'a\\nb\\tc'],
    ['C1 CSI (U+009B) and NEL (U+0085)', 'x\u009b31my\u0085z', 'x\\x9b31my\\x85z'],
    ['bidi override U+202E', 'evil\u202Etxt.exe', 'evil\\u202etxt.exe'],
    ['bidi isolates U+2066..U+2069 and marks', '\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c', '\\u2066a\\u2067b\\u2068c\\u2069\\u200e\\u200f\\u061c'],
    ['zero-width space, joiner, BOM', 'a\u200bb\u200dc\ufeffd', 'a\\u200bb\\u200dc\\ufeffd'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['astral format character (tag)', 'a\u{e0001}b', 'a\\u{e0001}b'],
    ['lone surrogates in a string', 'a\ud800b\udfffc', 'a\\ud800b\\udfffc'],
  ])('%s', (_name, input, shown) => {
    expect(sanitizeRemote(input)).toBe(shown)
  })

  it('keeps newlines (CRLF becomes LF) and tabs only when the caller allows them', () => {
    expect(sanitizeRemote('a\r\nb\nc\td', { newlines: true })).toBe('a\nb\nc\\td')
    expect(sanitizeRemote('a\r\nb\nc\td', { tabs: true })).toBe('a\\r\\nb\\nc\td')
    expect(sanitizeRemote('ok\rEVIL\r\n', { newlines: true, tabs: true })).toBe('ok\\rEVIL\n')
  })
})

describe('sanitizeRemote: bytes that are not UTF-8', () => {
  it.each([
    ['a stray byte', bytes(0x61, 0xff, 0x62), 'a\\xffb'],
    ['a continuation byte alone', bytes(0x80), '\\x80'],
    ['overlong slash (C0 AF)', bytes(0xc0, 0xaf), '\\xc0\\xaf'],
    ['overlong 3-byte (E0 80 AF)', bytes(0xe0, 0x80, 0xaf), '\\xe0\\x80\\xaf'],
    ['encoded surrogate (ED A0 80)', bytes(0xed, 0xa0, 0x80), '\\xed\\xa0\\x80'],
    ['above U+10FFFF (F4 90 80 80)', bytes(0xf4, 0x90, 0x80, 0x80), '\\xf4\\x90\\x80\\x80'],
    ['truncated sequence then ASCII', bytes(0xe6, 0x97, 0x41), '\\xe6\\x97A'],
    ['valid text around a bad byte', Buffer.from([...Buffer.from('日本'), 0xfe, ...Buffer.from('é')]), '日本\\xfeé'],
    ['C1 CSI encoded in UTF-8', bytes(0xc2, 0x9b, 0x33, 0x31, 0x6d), '\\x9b31m'],
    ['a BOM is shown, not swallowed', bytes(0xef, 0xbb, 0xbf, 0x61), '\\ufeffa'],
    ['ESC in bytes', Buffer.from('\x1b]52;c;eA==\x07'), '\\x1b]52;c;eA==\\x07'],
  ])('%s', (_name, input, shown) => {
    expect(sanitizeRemote(input)).toBe(shown)
  })

  it('valid UTF-8 bytes read the same as the string', () => {
    const text = 'holder: ålice 日本 😀'
    expect(sanitizeRemote(Buffer.from(text))).toBe(text)
  })
})

describe('sanitizeRemote: length bound', () => {
  it('cuts with a visible marker counting the bytes not shown, within maxBytes', () => {
    // marker "…(10000 more bytes)" is 21 bytes, so 79 bytes of text fit in 100
    const out = sanitizeRemote('a'.repeat(10_000), { maxBytes: 100 })
    expect(out).toBe(`${'a'.repeat(79)}…(9921 more bytes)`)
    expect(utf8(out)).toBeLessThanOrEqual(100)
  })

  it('counts escapes against the bound: 4 bytes each', () => {
    // marker "…(100 more bytes)" is 19 bytes: 45 bytes left, 11 escapes
    expect(sanitizeRemote('\x07'.repeat(100), { maxBytes: 64 })).toBe(`${'\\x07'.repeat(11)}…(89 more bytes)`)
  })

  it('never splits a character and counts raw bytes of byte input', () => {
    const out = sanitizeRemote('日'.repeat(100), { maxBytes: 64 })
    // marker "…(300 more bytes)" is 19 bytes: 15 characters of 3 bytes
    expect(out).toBe(`${'日'.repeat(15)}…(255 more bytes)`)
    expect(sanitizeRemote(Buffer.alloc(5000, 0xff), { maxBytes: 64 })).toBe(`${'\\xff'.repeat(11)}…(4989 more bytes)`)
  })

  it('a string exactly at the bound is kept whole; one byte more is cut', () => {
    expect(sanitizeRemote('b'.repeat(64), { maxBytes: 64 })).toBe('b'.repeat(64))
    expect(sanitizeRemote('b'.repeat(65), { maxBytes: 64 })).toBe(`${'b'.repeat(46)}…(19 more bytes)`)
  })

  it('defaults to DEFAULT_MAX_BYTES and bounds a huge output quickly', () => {
    const huge = `${'\x1b[31m'.repeat(1000)}${'x'.repeat(50_000_000)}`
    const started = performance.now()
    const out = sanitizeRemote(huge)
    expect(utf8(out)).toBeLessThanOrEqual(DEFAULT_MAX_BYTES)
    expect(out).toMatch(/^x+…\(\d+ more bytes\)$/)
    // the dropped colour codes (5000 bytes) and the x's shown are not counted as more
    expect(Number(/\((\d+) more/.exec(out)?.[1])).toBe(utf8(huge) - 5000 - out.indexOf('…'))
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('is idempotent: a sanitized string is left as it is', () => {
    for (const input of ['\x1b]52;c;eA==\x07 ok', 'z'.repeat(9000), 'a\r\nb\u202e', '日'.repeat(3000)]) {
      const once = sanitizeRemote(input, { maxBytes: 256, newlines: true })
      expect(sanitizeRemote(once, { maxBytes: 256, newlines: true })).toBe(once)
    }
  })

  it('refuses a bound too small for its own marker', () => {
    expect(() => sanitizeRemote('x', { maxBytes: 10 })).toThrow(RangeError)
  })
})

describe('sanitizeRemoteValue', () => {
  it('sanitizes strings and keys, keeps numbers, booleans and null', () => {
    const parsed: unknown = JSON.parse('{"who":"m\\u001b]52;c;eA==\\u0007","pid":42,"ok":true,"n":null,"k\\u202e":["\\r"]}')
    expect(sanitizeRemoteValue(parsed)).toEqual({ who: 'm\\x1b]52;c;eA==\\x07', pid: 42, ok: true, n: null, 'k\\u202e': ['\\r'] })
  })

  it('keeps a "__proto__" key as a plain key', () => {
    const value = sanitizeRemoteValue(JSON.parse('{"__proto__":{"polluted":1}}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('cuts deep nesting, long lists and long strings', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(50)}1${']'.repeat(50)}`)
    let v: unknown = sanitizeRemoteValue(deep)
    let depth = 0
    while (Array.isArray(v)) {
      v = v[0]
      depth++
    }
    expect([depth, v]).toEqual([8, '…'])
    expect((sanitizeRemoteValue(Array.from({ length: 500 }, (_, i) => i)) as number[]).length).toBe(100)
    expect(sanitizeRemoteValue('q'.repeat(5000))).toBe(`${'q'.repeat(1004)}…(3996 more bytes)`)
  })
})

describe('sanitizeRemote: large bounds', () => {
  it('decodes 300 KB of invalid bytes under a 2 MB bound (more code points than one call takes)', () => {
    const out = sanitizeRemote(Buffer.alloc(300_000, 0xfe), { maxBytes: 2_000_000 })
    expect(out).toBe('\\xfe'.repeat(300_000))
  })
})
