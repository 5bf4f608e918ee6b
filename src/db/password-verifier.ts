// What ALTER ROLE stores instead of the password, computed here as psql's \password does
// (PQencryptPasswordConn): the server, its statement log and pg_stat_activity never see the plain text.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { ConfigError } from '../errors.js'
import type { Secret } from '../util/secret.js'

// The server's password_encryption values this module can honour.
export type PasswordEncryption = 'scram-sha-256' | 'md5'

// PostgreSQL's defaults: 4096 iterations (scram_iterations, PG 16+), a 16-byte salt.
export const SCRAM_ITERATIONS = 4096
const SALT_BYTES = 16

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()

// SASLprep leaves printable ASCII unchanged and PostgreSQL uses other ASCII as is; beyond ASCII the
// server would normalise, which is not reproduced here, so such a password is refused up front.
function asciiBytes(password: Secret): Buffer {
  const text = password.reveal()
  if ([...text].some((c) => c.charCodeAt(0) > 0x7f)) {
    throw new ConfigError('the new database password contains non-ASCII characters', { hint: 'Use a password of printable ASCII characters (RDS allows no others).' })
  }
  return Buffer.from(text, 'ascii')
}

// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as PostgreSQL's scram_build_secret writes it.
export function scramVerifier(password: Secret, iterations = SCRAM_ITERATIONS, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const salted = pbkdf2Sync(asciiBytes(password), salt, iterations, 32, 'sha256')
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

// md5 + md5(password || user), the pre-SCRAM format, for servers still set to password_encryption=md5.
export function md5Verifier(user: string, password: Secret): string {
  return `md5${createHash('md5').update(Buffer.concat([asciiBytes(password), Buffer.from(user, 'utf8')])).digest('hex')}`
}

// The verifier the server's own setting asks for; any other setting is refused rather than guessed.
export function verifierFor(encryption: string, user: string, password: Secret, iterations = SCRAM_ITERATIONS): string {
  if (encryption === 'scram-sha-256') return scramVerifier(password, iterations)
  if (encryption === 'md5') return md5Verifier(user, password)
  throw new ConfigError(`the database's password_encryption is "${encryption}", which authctl cannot honour`, {
    hint: 'Set password_encryption to scram-sha-256 (the default since PostgreSQL 14), or use --method rds.',
  })
}
