// Evaluates a loaded config for one destination the way ssh does: command-line options first, then
// every matching Host/Match block in file order, the first value obtained for each keyword winning.
import { ConfigError } from '../errors.js'
import type { ConfigEntry, SshConfig } from './ssh-config.js'
import { evaluateMatch, hostLineMatches, type MatchContext } from './ssh-config-match.js'
import type { JumpSpec, OptionValue, StrictMode } from './ssh-config-values.js'

// A value and the path:line (or inventory variable) it came from.
export interface Sourced<T> {
  value: T
  origin: string
}

// The raw options ssh would hold after reading its config for one destination (no tokens expanded).
export interface SshOptions {
  hostName?: Sourced<string>
  user?: Sourced<string>
  port?: Sourced<number>
  identityFiles: Array<Sourced<string>>
  identitiesOnly?: Sourced<boolean>
  proxyJump?: Sourced<JumpSpec[] | 'none'>
  proxyCommand?: Sourced<string>
  userKnownHostsFiles?: Sourced<string[]>
  strictHostKeyChecking?: Sourced<StrictMode>
  serverAliveInterval?: Sourced<number>
  connectTimeout?: Sourced<number>
}

function keep<T>(current: Sourced<T> | undefined, value: T, origin: string): Sourced<T> {
  return current ?? { value, origin }
}

// Applies one option with ssh's first-obtained-wins rule; IdentityFile accumulates (without duplicates).
export function applyOption(o: SshOptions, v: OptionValue): void {
  switch (v.key) {
    case 'identityFile':
      if (!o.identityFiles.some((f) => f.value === v.value)) o.identityFiles.push({ value: v.value, origin: v.origin })
      return
    case 'proxyJump':
      // parse_jump(): ignored once any ProxyCommand or ProxyJump is set; a real jump also pins ProxyCommand to none.
      if (o.proxyJump !== undefined || o.proxyCommand !== undefined) return
      o.proxyJump = { value: v.value, origin: v.origin }
      if (v.value !== 'none') o.proxyCommand = { value: 'none', origin: v.origin }
      return
    case 'hostName':
    case 'user':
    case 'proxyCommand':
      o[v.key] = keep(o[v.key], v.value, v.origin)
      return
    case 'port':
    case 'serverAliveInterval':
    case 'connectTimeout':
      o[v.key] = keep(o[v.key], v.value, v.origin)
      return
    case 'identitiesOnly':
      o.identitiesOnly = keep(o.identitiesOnly, v.value, v.origin)
      return
    case 'userKnownHostsFile':
      o.userKnownHostsFiles = keep(o.userKnownHostsFiles, v.value, v.origin)
      return
    case 'strictHostKeyChecking':
      o.strictHostKeyChecking = keep(o.strictHostKeyChecking, v.value, v.origin)
  }
}

// HostName with its only tokens, %h (the destination as given) and %%.
export function expandHostName(template: string, host: string, origin: string): string {
  return template.replace(/%(.?)/gs, (_, t: string) => {
    if (t === 'h') return host
    if (t === '%') return '%'
    throw new ConfigError(`${origin}: HostName: unknown token %${t} (only %h and %% are allowed)`)
  })
}

interface Pass {
  destination: string
  hostForHostLines: string
  localUser: string
  finalPass: boolean
  wantsFinal: boolean
}

function matchContext(o: SshOptions, pass: Pass): MatchContext {
  const host = pass.finalPass ? pass.hostForHostLines : o.hostName ? expandHostName(o.hostName.value, pass.destination, o.hostName.origin) : pass.destination
  return { host, originalHost: pass.destination, remoteUser: o.user?.value ?? pass.localUser, localUser: pass.localUser, finalPass: pass.finalPass }
}

// Walks entries in order; an Include inside an inactive block can never match (SSHCONF_NEVERMATCH).
function walk(entries: readonly ConfigEntry[], o: SshOptions, pass: Pass, state: { active: boolean }, neverMatch: boolean): void {
  for (const e of entries) {
    if (e.kind === 'option') {
      if (state.active) applyOption(o, e.value)
    } else if (e.kind === 'host') {
      state.active = !neverMatch && hostLineMatches(e.patterns, pass.hostForHostLines)
    } else if (e.kind === 'match') {
      if (e.criteria.some((c) => c.attr === 'final')) pass.wantsFinal = true
      state.active = !neverMatch && evaluateMatch(e.criteria, matchContext(o, pass), e.origin)
    } else {
      const outer = state.active
      for (const file of e.files) {
        walk(file.entries, o, pass, state, neverMatch || !outer)
        state.active = outer
      }
    }
  }
}

// The options for `ssh [cmdline] destination` under this config; a `Match final` triggers ssh's second pass.
export function resolveHostOptions(config: SshConfig | undefined, destination: string, opts: { localUser: string; cmdline?: readonly OptionValue[] }): SshOptions {
  const o: SshOptions = { identityFiles: [] }
  for (const v of opts.cmdline ?? []) applyOption(o, v)
  const pass: Pass = { destination, hostForHostLines: destination, localUser: opts.localUser, finalPass: false, wantsFinal: false }
  for (const file of config?.files ?? []) walk(file.entries, o, pass, { active: true }, false)
  if (pass.wantsFinal) {
    pass.finalPass = true
    pass.hostForHostLines = finalHost(o, destination)
    for (const file of config?.files ?? []) walk(file.entries, o, pass, { active: true }, false)
  }
  return o
}

// The address ssh connects to: HostName with %h expanded, else the destination, lower-cased.
export function finalHost(o: SshOptions, destination: string): string {
  const host = o.hostName ? expandHostName(o.hostName.value, destination, o.hostName.origin) : destination
  return host.toLowerCase()
}
