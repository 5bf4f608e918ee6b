// What RDS accepts as a master password (rotation-facts.md): printable ASCII without '/', '"', '@' or
// space, 8 to 128 characters for PostgreSQL. Checked before the call so a bad one changes nothing.
import type { Secret } from '../util/secret.js'

// The reason RDS would refuse this password, or undefined when it is acceptable.
export function rdsPasswordProblem(password: Secret): string | undefined {
  const text = password.reveal()
  if (text.length < 8 || text.length > 128) return `it has ${text.length} characters; RDS for PostgreSQL takes 8 to 128`
  if (!/^[\x21-\x7e]*$/.test(text)) return 'it has a character outside printable ASCII (or a space)'
  const bad = ['/', '"', '@'].filter((c) => text.includes(c))
  return bad.length > 0 ? `it contains ${bad.map((c) => `'${c}'`).join(', ')}, which RDS refuses` : undefined
}
