// Host and Match evaluation as readconf.c does it: match_pattern() globs, pattern lists with `!`,
// and the Match criteria authctl can decide without running anything.
import { ConfigError } from '../errors.js'

// One Match criterion; `arg` is absent for all/canonical/final.
export interface MatchCriterion {
  negate: boolean
  attr: string
  arg?: string
}

// What a Match line is evaluated against (readconf.c's host, original_host, ruser, pw_name, post_canon).
export interface MatchContext {
  host: string
  originalHost: string
  remoteUser: string
  localUser: string
  finalPass: boolean
}

const DECIDABLE = new Set(['host', 'originalhost', 'user', 'localuser'])
const UNDECIDABLE = new Set(['exec', 'localnetwork', 'tagged'])

// match_pattern(): `*` and `?` globs, case-sensitive, whole string.
export function matchPattern(text: string, pattern: string): boolean {
  let source = ''
  for (const ch of pattern) source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
  return new RegExp(`^${source}$`, 's').test(text)
}

// match_pattern_list(): comma patterns; a matching `!pattern` vetoes, else any positive match wins.
export function matchPatternList(text: string, list: string, lowerPatterns: boolean): boolean {
  let positive = false
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!')
    const pattern = lowerPatterns ? raw.slice(negated ? 1 : 0).toLowerCase() : raw.slice(negated ? 1 : 0)
    if (!matchPattern(text, pattern)) continue
    if (negated) return false
    positive = true
  }
  return positive
}

// A `Host` line: active when some pattern matches and no `!pattern` does.
export function hostLineMatches(patterns: readonly string[], host: string): boolean {
  let active = false
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    if (!matchPattern(host, negated ? raw.slice(1) : raw)) continue
    if (negated) return false
    active = true
  }
  return active
}

// Parses a Match line's words into criteria, rejecting what ssh rejects (unknown attributes, missing arguments).
export function parseMatchCriteria(words: readonly string[], origin: string): MatchCriterion[] {
  const out: MatchCriterion[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    const negate = word.startsWith('!')
    const attr = word.slice(negate ? 1 : 0).toLowerCase()
    if (attr === 'all') {
      if (out.length > 1 || i !== words.length - 1) throw new ConfigError(`${origin}: '${word}' cannot be combined with other Match attributes`)
      out.push({ negate, attr })
      continue
    }
    if (attr === 'canonical' || attr === 'final') {
      out.push({ negate, attr })
      continue
    }
    if (!DECIDABLE.has(attr) && !UNDECIDABLE.has(attr)) throw new ConfigError(`${origin}: Unsupported Match attribute ${word}`)
    const arg = words[++i]
    if (arg === undefined || arg === '') throw new ConfigError(`${origin}: Missing Match criteria for ${word}`)
    out.push({ negate, attr, arg })
  }
  if (out.length === 0) throw new ConfigError(`${origin}: One or more attributes required for Match`)
  return out
}

// match_cfg_line(): every criterion must hold; exec/localnetwork/tagged are refused once they could decide the result.
export function evaluateMatch(criteria: readonly MatchCriterion[], ctx: MatchContext, origin: string): boolean {
  let result = true
  for (const c of criteria) {
    let hit: boolean
    if (c.attr === 'all') hit = true
    else if (c.attr === 'canonical' || c.attr === 'final') hit = ctx.finalPass
    else if (c.attr === 'host') hit = matchPatternList(ctx.host, c.arg ?? '', true)
    else if (c.attr === 'originalhost') hit = matchPatternList(ctx.originalHost, c.arg ?? '', true)
    else if (c.attr === 'user') hit = matchPatternList(ctx.remoteUser, c.arg ?? '', false)
    else if (c.attr === 'localuser') hit = matchPatternList(ctx.localUser, c.arg ?? '', false)
    else if (!result) continue
    else {
      throw new ConfigError(`${origin}: Match ${c.attr} is not supported by authctl (it applies while resolving ${ctx.originalHost})`, {
        hint: 'authctl decides Match host/originalhost/user/localuser/all/final only; guard this block with a Host line that excludes the inventory hosts, or point -F/AUTHCTL_SSH_CONFIG at a config without it',
      })
    }
    if (hit === c.negate) result = false
  }
  return result
}
