import { describe, expect, it } from 'vitest'
import { md5Verifier, scramVerifier, verifierFor } from '../../../src/db/password-verifier.js'
import { ConfigError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

const SALT = Buffer.from('0123456789abcdef')

describe('password verifiers', () => {
  it('md5 is md5(password || user), as PostgreSQL stores it', () => {
    // echo -n 'secretauthentik' | md5sum
    expect(md5Verifier('authentik', new Secret('secret'))).toBe('md5732d2fa4093ce0dc2529c3a08646d355')
  })

  it('SCRAM: iterations, salt, StoredKey and ServerKey in PostgreSQL\'s layout, deterministic for a salt', () => {
    const a = scramVerifier(new Secret('pencil'), 4096, SALT)
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/)
    expect(scramVerifier(new Secret('pencil'), 4096, SALT)).toBe(a)
    expect(scramVerifier(new Secret('pencil2'), 4096, SALT)).not.toBe(a)
    expect(a).not.toContain('pencil')
  })

  it('a fresh random salt each time', () => {
    expect(scramVerifier(new Secret('pencil'))).not.toBe(scramVerifier(new Secret('pencil')))
  })

  it('follows the server setting and refuses others', () => {
    expect(verifierFor('md5', 'u', new Secret('p'))).toBe(md5Verifier('u', new Secret('p')))
    expect(verifierFor('scram-sha-256', 'u', new Secret('p'), 10_000)).toMatch(/^SCRAM-SHA-256\$10000:/)
    expect(() => verifierFor('password', 'u', new Secret('p'))).toThrow(ConfigError)
  })

  it('refuses a non-ASCII password, without showing it', () => {
    const error = (() => {
      try {
        scramVerifier(new Secret('pässwörd-SENTINEL'))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(String((error as Error).message)).not.toContain('SENTINEL')
  })
})
