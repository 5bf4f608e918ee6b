// Ansible's host-pattern grammar for --limit (inventory/manager.py): `,`/`:` separators, `&` intersection,
// `!` exclusion, globs, `~regex`, group[i]/[i:j] subscripts and @file. Unlike Ansible, a term that names no
// host and no group is a ConfigError (host_pattern_mismatch=error); a group without hosts is a match.
import { readFileSync, statSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { parseAddress } from './host-range.js'
import type { InventoryData } from './model.js'
import { InvalidRegexError, pythonRegExp, UnsupportedRegexError } from './python-regex.js'

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s
const HINT = 'Use host or group names from the inventory (authctl inventory --graph lists them).'

// split_host_pattern: commas, else `:` outside brackets unless the whole text is one address or range.
export function splitHostPattern(pattern: string): string[] {
  let parts: string[]
  if (pattern.includes(',')) parts = pattern.split(',')
  else if (parseAddress(pattern)) parts = [pattern]
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []
  return parts.map((p) => p.trim()).filter(Boolean)
}

// fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; everything else literal; the whole name must match.
export function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      let j = i + 1
      if (glob[j] === '!') j++
      if (glob[j] === ']') j++
      while (j < glob.length && glob[j] !== ']') j++
      if (j >= glob.length) re += '\\['
      else {
        let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\')
        if (body.startsWith('!')) body = '^' + body.slice(1)
        else if (body.startsWith('^')) body = '\\' + body
        re += `[${body}]`
        i = j
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(`^(?:${re})$`, 's')
}

function matcher(expr: string): RegExp {
  try {
    return expr.startsWith('~') ? pythonRegExp(expr.slice(1)) : globToRegExp(expr)
  } catch (error) {
    if (error instanceof UnsupportedRegexError) {
      throw new ConfigError(`--limit term '${expr}' uses ${error.message}, which authctl cannot translate from Python's regular expressions`, { hint: 'Rewrite that part of the pattern; everything JavaScript shares with Python, plus leading (?aimsux) flags, (?P<name>...), (?P=name), (?#...), \\A and \\Z, is understood.' })
    }
    throw new ConfigError(`Invalid host list pattern: ${expr}${error instanceof InvalidRegexError ? ` (${error.message})` : ''}`, { hint: HINT })
  }
}

// What one term matched: its hosts, and whether it named a group (an empty group is still a match).
interface Matched {
  hosts: string[]
  group: boolean
}

// _enumerate_matches: groups whose name matches give all their hosts; hosts are tried when no group
// matched or the pattern looks like a glob/regex/FQDN.
function enumerate(data: InventoryData, expr: string): Matched {
  const re = matcher(expr)
  const out: string[] = []
  const groups = [...data.groups.keys()].filter((g) => re.test(g))
  for (const g of groups) out.push(...data.groupHosts(g))
  if (groups.length === 0 || expr.startsWith('~') || /[.?*[]/.test(expr)) {
    for (const h of data.hosts.keys()) if (re.test(h)) out.push(h)
  }
  return { hosts: [...new Set(out)], group: groups.length > 0 }
}

// _split_subscript + _apply_subscript, with Python's negative indices and inclusive ends.
function matchOne(data: InventoryData, term: string): Matched {
  const pattern = term.replace(/^[&!]/, '')
  const m = pattern.startsWith('~') ? null : SUBSCRIPT.exec(pattern)
  if (!m) return enumerate(data, pattern)
  const matched = enumerate(data, m[1] as string)
  const hosts = matched.hosts
  if (hosts.length === 0) return matched
  const one = (i: number): Matched => {
    const host = hosts[i < 0 ? hosts.length + i : i]
    if (host === undefined) throw new ConfigError(`No hosts matched the subscripted pattern '${pattern}'`, { hint: HINT })
    return { hosts: [host], group: matched.group }
  }
  if (m[2] !== undefined) return one(Number(m[2]))
  const start = Number(m[3])
  const end = m[5] ? Number(m[5]) : -1
  if (end === 0) return one(start)
  return { hosts: hosts.slice(start, end === -1 ? hosts.length : end + 1), group: matched.group }
}

// Expand @file terms into the names listed in the file, one per line.
function expandFiles(terms: string[]): string[] {
  return terms.flatMap((t) => {
    if (!t.startsWith('@')) return [t]
    const file = t.slice(1)
    const isFile = (() => {
      try {
        return statSync(file).isFile()
      } catch {
        throw new ConfigError(`Unable to find limit file ${file}`, { hint: 'Pass --limit @FILE with an existing file of host names, one per line.' })
      }
    })()
    if (!isFile) throw new ConfigError(`Limit starting with "@" must be a file, not a directory: ${file}`, { hint: 'Pass a file of host names.' })
    return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)
  })
}

// Hosts selected by `pattern` in inventory order of evaluation: unions, then `&`, then `!` (order_patterns).
export function selectHostNames(data: InventoryData, pattern: string): string[] {
  const terms = expandFiles(splitHostPattern(pattern))
  const regular = terms.filter((t) => t[0] !== '&' && t[0] !== '!')
  const ordered = [...(regular.length ? regular : ['all']), ...terms.filter((t) => t[0] === '&'), ...terms.filter((t) => t[0] === '!')]
  let hosts: string[] = []
  for (const term of ordered) {
    const found = data.hosts.has(term) ? { hosts: [term], group: false } : matchOne(data, term)
    if (found.hosts.length === 0 && !found.group) throw new ConfigError(`--limit term '${term}' matches no host or group in the inventory`, { hint: HINT })
    const matched = found.hosts
    if (term[0] === '!') hosts = hosts.filter((h) => !matched.includes(h))
    else if (term[0] === '&') hosts = hosts.filter((h) => matched.includes(h))
    else hosts.push(...matched.filter((h) => !hosts.includes(h)))
  }
  return hosts
}
