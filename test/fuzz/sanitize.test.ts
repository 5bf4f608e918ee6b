// Fuzz: sanitizeRemote under random bytes and random text built from escape-sequence fragments. Whatever
// a host sends, what we print has no control, format or invalid character (bar allowed \n and \t), fits
// the bound, and sanitizing it again changes nothing.
import { describe, expect, it } from 'vitest'
import { sanitizeRemote, type SanitizeOptions } from '../../src/util/sanitize.js'
import { FUZZ_SEED, Rng } from './prng.js'

// Counts recorded in the README's "Fuzz and fault suite".
const BYTE_INPUTS = 5000
const TEXT_INPUTS = 5000

const FRAGMENTS = [
  '\x1b]52;c;cm0gLXJmIH4K\x07', '\x1b]0;title\x1b\\', '\x1b[2J', '\x1b[31m', '\x1b[0m', '\x1b[', '\x1b', '\x07', '\b', '\r', '\n', '\r\n', '\t', '\0',
  '\x7f', '\u009b', '\u0085', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028', '\ud800', '\udfff', '😀', '日本', 'é', 'ok', ' ', '\\x1b', '…',
]

// Anything a terminal could act on, or that is not valid text: forbidden in output unless allowed.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu

function randomOptions(rng: Rng): SanitizeOptions {
  return { newlines: rng.chance(0.5), tabs: rng.chance(0.5), maxBytes: rng.pick([64, 100, 256, 1024, 4096]) }
}

// The first broken property for one input, or undefined.
function violation(input: string | Uint8Array, opts: SanitizeOptions): string | undefined {
  const out = sanitizeRemote(input, opts)
  const unsafe = [...out.matchAll(UNSAFE)].map((m) => m[0]).filter((c) => !((c === '\n' && opts.newlines) || (c === '\t' && opts.tabs)))
  if (unsafe.length > 0) return `unsafe character U+${unsafe[0]?.codePointAt(0)?.toString(16)} in output`
  if (Buffer.byteLength(out) > (opts.maxBytes ?? 4096)) return `output of ${Buffer.byteLength(out)} bytes exceeds ${opts.maxBytes}`
  if (sanitizeRemote(out, opts) !== out) return 'not idempotent'
  const more = /…\((\d+) more bytes\)$/.exec(out)
  const inputBytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length
  if (more && !(Number(more[1]) > 0 && Number(more[1]) <= inputBytes)) return `marker counts ${more[1]} of ${inputBytes} bytes`
  return undefined
}

function fuzz(count: number, make: (rng: Rng) => string | Uint8Array, seed: number): { tried: number; failures: string[] } {
  const rng = new Rng(seed)
  const failures: string[] = []
  for (let i = 0; i < count; i++) {
    const input = make(rng)
    const opts = randomOptions(rng)
    const problem = violation(input, opts)
    if (problem) failures.push(`seed ${seed}, case ${i}: ${problem} for ${JSON.stringify(typeof input === 'string' ? input : Buffer.from(input).toString('hex')).slice(0, 300)}`)
  }
  return { tried: count, failures }
}

describe(`sanitizeRemote under random input (seed ${FUZZ_SEED})`, () => {
  it('random bytes (mostly not UTF-8)', () => {
    const result = fuzz(BYTE_INPUTS, (rng) => rng.bytes(rng.int(0, rng.chance(0.1) ? 20_000 : 600)), FUZZ_SEED)
    expect(result.failures.slice(0, 3)).toEqual([])
    expect(result.tried).toBe(BYTE_INPUTS)
  })

  it('random text from escape sequences, controls, bidi marks, lone surrogates and any code point', () => {
    const result = fuzz(
      TEXT_INPUTS,
      (rng) => {
        let text = ''
        const parts = rng.int(0, rng.chance(0.1) ? 3000 : 200)
        for (let i = 0; i < parts; i++) text += rng.chance(0.6) ? rng.pick(FRAGMENTS) : String.fromCodePoint(rng.codePoint())
        return text
      },
      FUZZ_SEED + 1,
    )
    expect(result.failures.slice(0, 3)).toEqual([])
    expect(result.tried).toBe(TEXT_INPUTS)
  })

  it('plain printable text under the bound comes back unchanged', () => {
    const rng = new Rng(FUZZ_SEED + 2)
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: rng.int(0, 60) }, () => rng.pick(['a', 'Z', '0', ' ', '-', '@', 'é', '日', '😀', '{', '"', '\\'])).join('')
      expect(sanitizeRemote(text, { maxBytes: 4096 })).toBe(text)
    }
  })
})
