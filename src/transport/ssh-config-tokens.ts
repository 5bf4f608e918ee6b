// `~` and %-token/${ENV} expansion for IdentityFile and UserKnownHostsFile, as ssh's
// tilde_expand_filename() followed by default_client_percent_dollar_expand().
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { ConfigError } from '../errors.js'

// The values the tokens stand for (ssh's struct ssh_conn_info).
export interface TokenContext {
  homeDir: string
  localUser: string
  host: string
  originalHost: string
  remoteUser: string
  port: number
  env?: NodeJS.ProcessEnv
  localHostName?: string
  uid?: number
}

// `~` and `~/…` are the local home; `~user` is left for the caller to report (ssh looks the user up).
export function expandTilde(path: string, homeDir: string): string {
  return path === '~' || path.startsWith('~/') ? homeDir + path.slice(1) : path
}

function tokenTable(c: TokenContext): Record<string, string> {
  const full = c.localHostName ?? hostname()
  const short = full.split('.')[0] ?? full
  const port = String(c.port)
  return {
    '%': '%', d: c.homeDir, u: c.localUser, h: c.host, n: c.originalHost, r: c.remoteUser, p: port,
    l: full, L: short, k: c.originalHost, i: String(c.uid ?? process.getuid?.() ?? 0),
    C: createHash('sha1').update(full + c.host + port + c.remoteUser).digest('hex'),
  }
}

// Expands one path; an unknown token or unset ${VAR} is an error naming where the value came from.
export function expandPath(template: string, c: TokenContext, origin: string): string {
  const table = tokenTable(c)
  const env = c.env ?? process.env
  const expanded = expandTilde(template, c.homeDir).replace(/%(.?)|\$\{([^}]*)\}/gs, (whole, t: string | undefined, name: string | undefined) => {
    if (name !== undefined) {
      const value = env[name]
      if (value === undefined) throw new ConfigError(`${origin}: environment variable \${${name}} is not set (in "${template}")`)
      return value
    }
    const value = table[t ?? '']
    if (value === undefined) throw new ConfigError(`${origin}: unknown token ${whole} in "${template}"`, { hint: 'ssh_config(5) TOKENS lists them' })
    return value
  })
  return expanded
}
