// Ansible's INI inventory format (plugins/inventory/ini.py), hand-written because no npm INI parser reads
// host lines; every error is a ConfigError naming path:line, where Ansible would only warn.
import { ConfigError } from '../errors.js'
import { sanitizeRemote } from '../util/sanitize.js'
import { expandHostPattern, HostPatternError } from './host-range.js'
import { InventoryData, InventoryGraphError } from './model.js'
import { parsePythonValue, UnsupportedLiteralError } from './python-literal.js'
import { ShlexError, shlexSplit } from './shlex.js'
import type { InventoryValue } from './value.js'

const SECTION = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/u
const HINT = 'Fix the inventory line shown (Ansible INI syntax); authctl refuses inventories Ansible would skip.'

interface Pending {
  line: number
  state: 'vars' | 'children'
  parents: string[]
}

// Parse one INI inventory source into `data`. `lines` are the file's lines (see sources.ts for decoding).
export function parseIni(lines: readonly string[], path: string, data: InventoryData): void {
  let lineno = 0
  // Messages quote the line: bounded and escaped, as a hostile file may hold megabytes or escape sequences.
  const fail = (message: string): never => {
    throw new ConfigError(`${path}:${lineno}: ${sanitizeRemote(message, { maxBytes: 1024 })}`, { hint: HINT })
  }
  const guard = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (error) {
      if (error instanceof HostPatternError || error instanceof InventoryGraphError || error instanceof UnsupportedLiteralError) {
        return fail(error.message)
      }
      throw error
    }
  }
  const pending = new Map<string, Pending>()
  let group = 'ungrouped'
  let state = 'hosts'
  for (const raw of lines) {
    lineno++
    const line = raw.trim()
    if (line === '' || line[0] === '#' || line[0] === ';') continue
    const m = SECTION.exec(line)
    if (m) {
      group = m[1] as string
      state = m[2] ?? 'hosts'
      if (!['hosts', 'children', 'vars'].includes(state)) fail(`Section [${group}:${state}] has unknown type: ${state}`)
      if (!data.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineno, state: 'vars', parents: [] })
        data.addGroup(group)
      }
      const waiting = pending.get(group)
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') guard(() => addPendingChildren(group, pending, data))
        else pending.delete(group)
      }
      continue
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(`Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`)
    }
    const source = `${path}:${lineno}`
    if (state === 'hosts') {
      const { hosts, port, vars } = parseHostLine(line, fail)
      guard(() => {
        for (const host of hosts) {
          data.addHost(host, group, port, source)
          for (const [k, v] of vars) data.setHostVar(host, k, v, source)
        }
      })
    } else if (state === 'vars') {
      const eq = line.indexOf('=')
      if (eq < 0) fail(`Expected key=value, got: ${line}`)
      const key = line.slice(0, eq).trim()
      const value = guard(() => parsePythonValue(line.slice(eq + 1).trim()))
      guard(() => data.setGroupVar(group, key, value, source))
    } else {
      const child = GROUP_NAME.exec(line)?.[1] ?? fail(`Expected group name, got: ${line}`)
      if (data.groups.has(child)) guard(() => data.addChild(group, child))
      else {
        const waiting = pending.get(child)
        if (waiting) waiting.parents.push(group)
        else pending.set(child, { line: lineno, state: 'children', parents: [group] })
      }
    }
  }
  for (const [name, decl] of pending) {
    const where = `${path}:${decl.line}`
    if (decl.state === 'vars') throw new ConfigError(`${where}: Section [${name}:vars] not valid for undefined group: ${name}`, { hint: `Declare [${name}] or [${name}:children] somewhere in ${path}.` })
    throw new ConfigError(`${where}: Section [${decl.parents.at(-1) ?? ''}:children] includes undefined group: ${name}`, { hint: `Declare [${name}] in ${path} or remove it from the children list.` })
  }
}

function addPendingChildren(group: string, pending: Map<string, Pending>, data: InventoryData): void {
  for (const parent of pending.get(group)?.parents ?? []) {
    data.addChild(parent, group)
    if (pending.get(parent)?.state === 'children') addPendingChildren(parent, pending, data)
  }
  pending.delete(group)
}

// A host line: shlex tokens, the first a host pattern, the rest key=value with Python-literal values.
function parseHostLine(line: string, fail: (m: string) => never): { hosts: string[]; port?: number; vars: Array<[string, InventoryValue]> } {
  const tokens = tokenize(line, fail)
  const pattern = tokens[0] ?? fail(`Expected a host definition, got: ${line}`)
  const expanded = expand(pattern, fail)
  if (pattern.trim().endsWith(':') && expanded.port === undefined) {
    fail(`Invalid host pattern '${pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`)
  }
  if (expanded.hosts.some((h) => h.trim() === '---')) {
    fail(`Invalid host pattern '${pattern}' supplied, '---' is normally a sign this is a YAML file.`)
  }
  const vars: Array<[string, InventoryValue]> = []
  for (const token of tokens.slice(1)) {
    const eq = token.indexOf('=')
    if (eq < 0) fail(`Expected key=value host variable assignment, got: ${token}`)
    try {
      vars.push([token.slice(0, eq), parsePythonValue(token.slice(eq + 1))])
    } catch (error) {
      if (error instanceof UnsupportedLiteralError) fail(`${error.message}: ${token}`)
      throw error
    }
  }
  return { ...expanded, vars }
}

function tokenize(line: string, fail: (m: string) => never): string[] {
  try {
    return shlexSplit(line)
  } catch (error) {
    if (error instanceof ShlexError) fail(`Error parsing host definition '${line}': ${error.message}`)
    throw error
  }
}

function expand(pattern: string, fail: (m: string) => never): { hosts: string[]; port?: number } {
  try {
    return expandHostPattern(pattern)
  } catch (error) {
    if (error instanceof HostPatternError) fail(error.message)
    throw error
  }
}
