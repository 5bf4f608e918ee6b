// Generates the runbook's secrets (database password, Authentik secret key) with a cryptographic
// generator. Rejection sampling keeps every character equally likely, as `tr -dc` over random bytes does.
import { randomBytes } from 'node:crypto'
import { Secret } from '../util/secret.js'

// The runbook's alphabet: `tr -dc 'a-zA-Z0-9'`. Valid for RDS too (it refuses /, ", @ and space).
export const RUNBOOK_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

// A random string of `length` characters drawn uniformly from `alphabet`, wrapped as a Secret.
export function generateSecret(length: number, alphabet: string = RUNBOOK_ALPHABET): Secret {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`secret length must be a positive integer, got ${length}`)
  if (alphabet.length < 2 || alphabet.length > 256) throw new RangeError('alphabet must have 2 to 256 characters')
  // the largest multiple of the alphabet size below 256: bytes at or above it are dropped (no modulo bias)
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length]
      if (out.length === length) break
    }
  }
  return new Secret(out)
}
