import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Secret, redact } from '../../../src/util/secret.js'

describe('Secret', () => {
  const s = new Secret('SENTINEL-abc123')
  it('never prints its value', () => {
    expect(String(s)).toBe('<redacted>')
    expect(`${s}`).toBe('<redacted>')
    expect(JSON.stringify({ s })).toBe('{"s":"<redacted>"}')
    expect(inspect({ s })).not.toContain('SENTINEL')
  })
  it('reveals on request', () => {
    expect(s.reveal()).toBe('SENTINEL-abc123')
  })
  it('redacts values from text', () => {
    expect(redact('x SENTINEL-abc123 y SENTINEL-abc123', [s, 'zz'])).toBe('x <redacted> y <redacted>')
  })
})
