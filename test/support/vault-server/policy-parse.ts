// Parses ACL policy documents (the HCL subset Vault policies use, or JSON) into path rules,
// with Vault's own validation messages (policy.go parsePaths).
import { parseDurationSeconds } from './duration.js'

// One `path "…" { … }` block after Vault's normalisation.
export interface PathRule {
  path: string // stored key: leading "/" stripped, trailing "*" stripped for plain prefix rules
  isPrefix: boolean
  hasSegmentWildcards: boolean
  capabilities: Set<string>
  minWrappingTtl: number
  maxWrappingTtl: number
}

const CAPABILITIES = new Set(['deny', 'create', 'read', 'update', 'delete', 'list', 'sudo', 'patch', 'subscribe', 'recover', 'root'])

type Value = string | number | boolean | Value[] | { [k: string]: Value }

// Turns a policy text into rules; throws Error whose message is Vault's 400 text.
export function parsePolicy(text: string): PathRule[] {
  let doc: Record<string, Value>
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      doc = JSON.parse(trimmed) as Record<string, Value>
    } catch (e) {
      throw new Error(`failed to parse policy: ${(e as Error).message}`, { cause: e })
    }
  } else {
    doc = parseHcl(text)
  }
  const paths = doc.path
  if (paths === undefined) return []
  const blocks: [string, Value][] = Array.isArray(paths)
    ? paths.flatMap((p) => Object.entries(p as Record<string, Value>))
    : Object.entries(paths as Record<string, Value>)
  return blocks.map(([name, body]) => toRule(name, body))
}

function toRule(rawPath: string, body: Value): PathRule {
  const block = (Array.isArray(body) ? body[0] : body) as Record<string, Value> | undefined
  let path = rawPath.replace(/^\//, '')
  if (path.includes('+*')) throw new Error(`path "${path}": invalid use of wildcards ('+*' is forbidden)`)
  const hasSegmentWildcards = path === '+' || path.includes('/+') || path.startsWith('+/')
  let isPrefix = false
  if (path.endsWith('*') && !hasSegmentWildcards) {
    path = path.slice(0, -1)
    isPrefix = true
  }
  const caps = new Set<string>()
  const rawCaps = block?.capabilities ?? []
  for (const c of Array.isArray(rawCaps) ? rawCaps : [rawCaps]) {
    const cap = String(c).toLowerCase()
    if (!CAPABILITIES.has(cap)) throw new Error(`path "${rawPath}": invalid capability "${String(c)}"`)
    caps.add(cap)
  }
  if (block?.policy !== undefined) caps.add(policyShorthand(String(block.policy), rawPath))
  const finalCaps = caps.has('deny') ? new Set(['deny']) : caps
  return {
    path,
    isPrefix,
    hasSegmentWildcards,
    capabilities: finalCaps,
    minWrappingTtl: parseDurationSeconds(block?.min_wrapping_ttl),
    maxWrappingTtl: parseDurationSeconds(block?.max_wrapping_ttl),
  }
}

// The legacy `policy = "read"` shorthand.
function policyShorthand(p: string, rawPath: string): string {
  if (p === 'deny' || p === 'read' || p === 'sudo') return p
  if (p === 'write') return 'update'
  throw new Error(`path "${rawPath}": invalid policy "${p}"`)
}

// Minimal HCL1 reader: blocks (`name "label" { … }`), `key = value`, strings, numbers, bools, lists, comments.
export function parseHcl(text: string): Record<string, Value> {
  const tokens = tokenize(text)
  let i = 0
  const peek = () => tokens[i]
  const fail = (msg: string): never => {
    const t = tokens[i]
    throw new Error(`failed to parse policy: At ${t ? `${t.line}:${t.col}` : 'end'}: ${msg}`)
  }
  const next = () => tokens[i++] ?? fail('unexpected end of input')

  function parseValue(): Value {
    const t = next()
    if (t.kind === 'str' || t.kind === 'num') return t.kind === 'num' ? Number(t.text) : t.text
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true'
    if (t.text === '[') {
      const list: Value[] = []
      while (peek()?.text !== ']') {
        list.push(parseValue())
        if (peek()?.text === ',') i++
        else if (peek()?.text !== ']') fail(`expected "," or "]"`)
      }
      i++
      return list
    }
    if (t.text === '{') return parseBody('}')
    return fail(`unexpected token ${JSON.stringify(t.text)}`)
  }

  function parseBody(end: string | null): Record<string, Value> {
    const obj: Record<string, Value> = {}
    for (;;) {
      const t = peek()
      if (t === undefined) {
        if (end === null) return obj
        fail(`expected "${end}"`)
      }
      if (t!.text === end) {
        i++
        return obj
      }
      const key = next()
      if (key.kind !== 'ident' && key.kind !== 'str') fail(`expected a key, got ${JSON.stringify(key.text)}`)
      if (peek()?.text === '=') {
        i++
        obj[key.text] = parseValue()
        if (peek()?.text === ',') i++
        continue
      }
      const labels: string[] = []
      while (peek()?.kind === 'str') labels.push(next().text)
      if (peek()?.text !== '{') fail(`expected "=" or "{" after ${JSON.stringify(key.text)}`)
      i++
      let body: Value = parseBody('}')
      for (const label of labels.reverse()) body = { [label]: body }
      const existing = obj[key.text]
      obj[key.text] = existing === undefined ? body : mergeBlocks(existing, body)
    }
  }
  return parseBody(null)
}

function mergeBlocks(a: Value, b: Value): Value {
  if (typeof a === 'object' && !Array.isArray(a) && typeof b === 'object' && !Array.isArray(b)) {
    const out: Record<string, Value> = { ...a }
    for (const [k, v] of Object.entries(b)) out[k] = out[k] === undefined ? v : mergeBlocks(out[k], v)
    return out
  }
  return b
}

interface Token {
  kind: 'str' | 'num' | 'ident' | 'punct'
  text: string
  line: number
  col: number
}

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0
  const err = (msg: string): never => {
    throw new Error(`failed to parse policy: At ${line}:${i - lineStart + 1}: ${msg}`)
  }
  while (i < src.length) {
    const c = src[i]!
    if (c === '\n') {
      line++
      i++
      lineStart = i
    } else if (/\s/.test(c)) i++
    else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      if (end < 0) err('unterminated comment')
      for (const ch of src.slice(i, end)) if (ch === '\n') line++
      i = end + 2
    } else if (c === '"') {
      const col = i - lineStart + 1
      let s = ''
      i++
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\n') err('literal not terminated')
        if (src[i] === '\\') {
          const n = src[i + 1]
          s += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '')
          i += 2
        } else s += src[i++]
      }
      if (i >= src.length) err('literal not terminated')
      i++
      out.push({ kind: 'str', text: s, line, col })
    } else if ('{}[]=,'.includes(c)) {
      out.push({ kind: 'punct', text: c, line, col: i - lineStart + 1 })
      i++
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i))
      if (!m) err(`illegal char ${JSON.stringify(c)}`)
      out.push({ kind: 'num', text: m![0], line, col: i - lineStart + 1 })
      i += m![0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i))!
      out.push({ kind: 'ident', text: m[0], line, col: i - lineStart + 1 })
      i += m[0].length
    } else err(`illegal char ${JSON.stringify(c)}`)
  }
  return out
}
