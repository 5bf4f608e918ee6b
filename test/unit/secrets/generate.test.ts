import { describe, expect, it } from 'vitest'
import { generateSecret, RUNBOOK_ALPHABET } from '../../../src/secrets/generate.js'

describe('generateSecret', () => {
  it('draws exactly length characters from the runbook alphabet', () => {
    for (const n of [1, 32, 64, 128]) {
      const v = generateSecret(n).reveal()
      expect(v).toHaveLength(n)
      expect(v).toMatch(/^[A-Za-z0-9]+$/)
    }
  })

  it('never repeats and uses the whole alphabet', () => {
    const seen = new Set<string>()
    const chars = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const v = generateSecret(32).reveal()
      expect(seen.has(v)).toBe(false)
      seen.add(v)
      for (const c of v) chars.add(c)
    }
    expect(chars.size).toBe(RUNBOOK_ALPHABET.length)
  })

  it('is a Secret that does not print its value', () => {
    const s = generateSecret(32)
    expect(String(s)).toBe('<redacted>')
    expect(JSON.stringify({ s })).not.toContain(s.reveal())
  })

  it('refuses a non-positive length', () => {
    expect(() => generateSecret(0)).toThrow(RangeError)
  })
})
