// Host matching as OpenSSH does it for known_hosts: the lookup name, comma-separated glob patterns
// with `!` negation, and hashed `|1|salt|hmac` names.
import { createHmac, timingSafeEqual } from 'node:crypto'

// The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere, always lower case.
export function lookupName(host: string, port: number): string {
  const lower = host.toLowerCase()
  return port === 22 ? lower : `[${lower}]:${port}`
}

// Translates one `*`/`?` glob into an anchored regex; every other character is literal, `[` included.
function globToRegExp(glob: string): RegExp {
  let source = ''
  for (const ch of glob) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'is')
}

// A hashed name `|1|base64(salt)|base64(hmac-sha1(salt, name))` matches by recomputing the HMAC.
function matchHashed(field: string, name: string): boolean {
  const parts = field.split('|')
  if (parts.length !== 4 || parts[1] !== '1') return false
  const salt = Buffer.from(parts[2] ?? '', 'base64')
  const stored = Buffer.from(parts[3] ?? '', 'base64')
  const computed = createHmac('sha1', salt).update(name).digest()
  return stored.length === computed.length && timingSafeEqual(stored, computed)
}

// Whether a known_hosts host field matches the lookup name: any positive pattern matches and no
// negated one does (a matching `!pattern` vetoes the whole line, as in OpenSSH's match_hostname).
export function matchesHostField(field: string, name: string): boolean {
  if (field.startsWith('|')) return matchHashed(field, name)
  let matched = false
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!')
    const pattern = negated ? raw.slice(1) : raw
    if (pattern === '' || !globToRegExp(pattern).test(name)) continue
    if (negated) return false
    matched = true
  }
  return matched
}
