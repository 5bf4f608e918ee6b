// The ssh_config keywords authctl understands, each validated like readconf.c does (one argument,
// ports 1-65535, yes/no flags, sshd time formats) into a typed value tagged with where it came from.
import { ConfigError } from '../errors.js'
import { argvSplit } from './ssh-config-lex.js'

// One `[user@]host[:port]` hop of a ProxyJump list (or `ssh://user@host:port`).
export interface JumpSpec {
  user?: string
  host: string
  port?: number
}

// ssh's StrictHostKeyChecking states (`true`/`false`/`off` folded in).
export type StrictMode = 'yes' | 'no' | 'ask' | 'accept-new'

// One parsed option; `origin` is path:line or the inventory variable it came from.
export type OptionValue = { origin: string } & (
  | { key: 'hostName' | 'user' | 'identityFile'; value: string }
  | { key: 'port' | 'serverAliveInterval' | 'connectTimeout'; value: number }
  | { key: 'identitiesOnly'; value: boolean }
  | { key: 'proxyJump'; value: JumpSpec[] | 'none' }
  | { key: 'proxyCommand'; value: string }
  | { key: 'userKnownHostsFile'; value: string[] }
  | { key: 'strictHostKeyChecking'; value: StrictMode }
)

// Keyword (lower case) → the spelling in ssh_config(5), for messages and the hint of supported options.
export const SUPPORTED_KEYWORDS: Record<string, string> = {
  hostname: 'HostName', user: 'User', port: 'Port', identityfile: 'IdentityFile', identitiesonly: 'IdentitiesOnly',
  proxyjump: 'ProxyJump', proxycommand: 'ProxyCommand', userknownhostsfile: 'UserKnownHostsFile',
  stricthostkeychecking: 'StrictHostKeyChecking', serveraliveinterval: 'ServerAliveInterval', connecttimeout: 'ConnectTimeout',
}

const STRICT: Record<string, StrictMode> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new' }
const FLAG: Record<string, boolean> = { yes: true, true: true, no: false, false: false }
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

// a2port(): a decimal 1-65535.
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 && n <= 65535 ? n : undefined
}

// convtime(): `90`, `1m30s`, `2h`; undefined when malformed.
export function parseTime(text: string): number | undefined {
  if (text === '') return undefined
  let total = 0
  for (const m of text.matchAll(/(\d+)([sSmMhHdDwW]?)|(.)/g)) {
    if (m[3] !== undefined) return undefined
    total += Number(m[1]) * (UNIT[(m[2] ?? '').toLowerCase()] ?? 1)
  }
  return total
}

// parse_user_host_port()/parse_ssh_uri() for one hop: last `@` splits the user, `[v6]:port` brackets.
export function parseJumpSpec(text: string): JumpSpec | undefined {
  let s = text
  const uri = /^ssh:\/\/(.*?)\/?$/i.exec(s)
  if (uri) s = uri[1] ?? ''
  let user: string | undefined
  const at = s.lastIndexOf('@')
  if (at >= 0) {
    user = s.slice(0, at)
    if (user === '') return undefined
    s = s.slice(at + 1)
  }
  const m = /^\[([^\]]+)\](?::(.*))?$/.exec(s) ?? /^([^:[\]]+)(?::(.*))?$/.exec(s)
  const host = m?.[1]
  if (host === undefined || host === '' || /\s/.test(host)) return undefined
  const portText = m?.[2]
  if (portText === undefined || portText === '') return { user, host }
  const port = parsePort(portText)
  return port === undefined ? undefined : { user, host, port }
}

// parse_jump(): a comma list of hops or `none`; a `#` starts a comment.
export function parseJumpList(text: string): JumpSpec[] | 'none' | undefined {
  const s = (text.split('#')[0] ?? '').trim()
  if (s.toLowerCase() === 'none') return 'none'
  const hops = s.split(',').map(parseJumpSpec)
  return hops.some((h) => h === undefined) ? undefined : (hops as JumpSpec[])
}

function fail(origin: string, message: string): never {
  throw new ConfigError(`${origin}: ${message}`, { hint: 'see ssh_config(5) for the keyword; fix the line or remove it' })
}

// The single argument of a keyword; extra arguments are an error, as in OpenSSH 9.
function single(origin: string, name: string, args: string[]): string {
  if (args.length === 0 || args[0] === '') fail(origin, `${name}: missing argument`)
  if (args.length > 1) fail(origin, `${name}: extra arguments at end of line`)
  return args[0] as string
}

// Parses one line of a known keyword; undefined for keywords authctl does not use, or a value that sets nothing (`none` times).
export function parseOption(keyword: string, rest: string, origin: string): OptionValue | undefined {
  const name = SUPPORTED_KEYWORDS[keyword]
  if (name === undefined) return undefined
  if (rest.trim() === '') fail(origin, `no argument after keyword "${name}"`)
  if (keyword === 'proxycommand') return { origin, key: 'proxyCommand', value: rest.replace(/^[ \t=]+/, '') }
  if (keyword === 'proxyjump') {
    const value = parseJumpList(rest)
    if (value === undefined) fail(origin, `ProxyJump: invalid jump list "${rest}"`)
    return { origin, key: 'proxyJump', value }
  }
  let args: string[]
  try {
    args = argvSplit(rest)
  } catch {
    return fail(origin, 'invalid quotes')
  }
  if (keyword === 'userknownhostsfile') {
    if (args.length === 0 || args.includes('')) fail(origin, `${name}: empty argument`)
    if (args.length > 1 && args.some((a) => a.toLowerCase() === 'none')) fail(origin, `${name}: "none" must appear alone`)
    return { origin, key: 'userKnownHostsFile', value: args }
  }
  const arg = single(origin, name, args)
  switch (keyword) {
    case 'hostname':
      return { origin, key: 'hostName', value: arg }
    case 'user':
      return { origin, key: 'user', value: arg }
    case 'identityfile':
      return { origin, key: 'identityFile', value: arg }
    case 'port': {
      const port = parsePort(arg)
      return port === undefined ? fail(origin, `Bad port "${arg}"`) : { origin, key: 'port', value: port }
    }
    case 'identitiesonly': {
      const flag = FLAG[arg.toLowerCase()]
      return flag === undefined ? fail(origin, `${name}: unsupported option "${arg}" (use yes or no)`) : { origin, key: 'identitiesOnly', value: flag }
    }
    case 'stricthostkeychecking': {
      const mode = STRICT[arg.toLowerCase()]
      if (mode === undefined) fail(origin, `${name}: unsupported option "${arg}" (use yes, accept-new, no or ask)`)
      return { origin, key: 'strictHostKeyChecking', value: mode }
    }
    default: {
      if (arg === 'none') return undefined
      const secs = parseTime(arg)
      if (secs === undefined) fail(origin, `${name}: invalid time value "${arg}"`)
      return { origin, key: keyword === 'connecttimeout' ? 'connectTimeout' : 'serverAliveInterval', value: secs }
    }
  }
}
