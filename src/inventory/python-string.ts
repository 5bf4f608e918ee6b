// Python string literal lexing and escape decoding, for the literal_eval port (python-literal.ts).

// One lexed string literal: its body between the quotes and how to decode it.
export interface StringLiteral {
  body: string
  raw: boolean
  bytes: boolean
  end: number
}

// Read a (possibly prefixed, possibly triple-quoted) string literal starting at `pos`; undefined if unterminated.
export function readStringLiteral(src: string, pos: number): StringLiteral | undefined {
  const prefix = /^[rRuUbB]{0,2}/.exec(src.slice(pos))?.[0] ?? ''
  let i = pos + prefix.length
  const quote = src[i]
  if (quote !== '"' && quote !== "'") return undefined
  const triple = src.startsWith(quote.repeat(3), i)
  const close = triple ? quote.repeat(3) : quote
  i += close.length
  const start = i
  while (i < src.length) {
    if (src[i] === '\\') {
      i += 2
      continue
    }
    if (!triple && (src[i] === '\n' || src[i] === '\r')) return undefined
    if (src.startsWith(close, i)) {
      return { body: src.slice(start, i), raw: /[rR]/.test(prefix), bytes: /[bB]/.test(prefix), end: i + close.length }
    }
    i++
  }
  return undefined
}

const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

// Decode escapes as Python does; undefined where Python raises (bad \x, \N{} we cannot resolve, non-ASCII bytes).
export function decodeStringBody(body: string, raw: boolean, bytes: boolean): string | undefined {
  if (bytes && [...body].some((c) => c.charCodeAt(0) > 0x7f)) return undefined
  if (raw) return bytes ? latin1ToUtf8(body) : body
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string
    if (ch !== '\\') {
      out += ch
      continue
    }
    const next = body[i + 1] ?? ''
    const simple = SIMPLE[next]
    if (simple !== undefined) {
      out += simple
      i++
    } else if (next === '\n') {
      i++
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))?.[0] ?? ''
      out += String.fromCodePoint(Number.parseInt(oct, 8))
      i += oct.length
    } else if (next === 'x' || (!bytes && (next === 'u' || next === 'U'))) {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8
      const hex = body.slice(i + 2, i + 2 + len)
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return undefined
      const code = Number.parseInt(hex, 16)
      if (code > 0x10ffff) return undefined
      out += String.fromCodePoint(code)
      i += 1 + len
    } else if (next === 'N' && !bytes) {
      return undefined
    } else {
      out += '\\'
    }
  }
  return bytes ? latin1ToUtf8(out) : out
}

// Ansible's to_text() decodes bytes values as UTF-8.
function latin1ToUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8')
}
