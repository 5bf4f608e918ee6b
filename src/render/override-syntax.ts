// The logic-free subset of ejs an override template may use: text, `<%= v.name %>` substitutions,
// `<%# comments %>` and the `-%>` newline trim. An override is parsed here and never compiled or
// run, so it cannot reach the process, modules or globals; what it accepts renders as ejs would.
import { ConfigError } from '../errors.js'

// One piece of a parsed override; `line` is the 1-based line of the template where it starts.
export type OverridePiece =
  | { kind: 'text'; text: string; line: number }
  | { kind: 'variable'; path: readonly string[]; line: number }

// A variable reference: `v` then one or more `.name` parts, spaces or tabs around it.
const SUBSTITUTION = /^[ \t]*v((?:\.[A-Za-z_][A-Za-z0-9_]*)+)[ \t]*$/
const WHAT_TO_DO =
  'An override template may only use text, <%= v.name %> substitutions and <%# comments %>: write the ' +
  'logic out as literal text, or change the inventory variables instead (README, "Template overrides").'

// A tag as the error shows it: secrets masked before it is cut short, one line, no control characters.
function shown(tag: string, conceal: (text: string) => string): string {
  const flat = conceal(tag).replace(/[\p{Cc}\u2028\u2029]/gu, ' ').trimEnd()
  return JSON.stringify(flat.length > 48 ? `${flat.slice(0, 45)}...` : flat)
}

// Splits an override into pieces, refusing anything but the logic-free subset with file:line;
// `conceal` masks secrets in the part of a tag an error quotes.
export function parseOverride(source: string, file: string, conceal: (text: string) => string = (text) => text): OverridePiece[] {
  const pieces: OverridePiece[] = []
  const fail: (at: number, problem: string) => never = (at, problem) => {
    throw new ConfigError(`${file}:${at}: ${problem}`, { hint: WHAT_TO_DO })
  }
  let line = 1
  let i = 0
  while (i < source.length) {
    const open = source.indexOf('<%', i)
    const text = source.slice(i, open === -1 ? source.length : open)
    // ejs drops a lone `%>` from text without a word; `%%>` and `<%%` are its literals, which we refuse
    // rather than copy its quirks (a pending `-%>` trim jumps over them).
    const stray = text.indexOf('%>')
    if (stray !== -1) fail(line + lineCount(text, 0, stray), 'a closing %> without an opening <% (write it some other way)')
    if (text !== '') pieces.push({ kind: 'text', text, line })
    line += lineCount(text, 0, text.length)
    if (open === -1) break
    if (source[open + 2] === '%') fail(line, 'the literal <%% is not supported in an override (write it some other way)')
    const close = source.indexOf('%>', open + 2)
    if (close === -1) fail(line, `${shown(source.slice(open), conceal)} is never closed with %>`)
    const tag = shown(source.slice(open, close + 2), conceal)
    const kind = source[open + 2]
    const before = close > open + 2 ? source[close - 1] : ''
    const trim = before === '-'
    const inner = source.slice(open + 3, trim ? close - 1 : close)
    if (before === '_' || before === '%') fail(line, `${tag} ends in an unsupported ${before}%>`)
    if (inner.includes('<%')) fail(line, `${tag} holds another <%`)
    if (kind === '=') {
      const match = SUBSTITUTION.exec(inner)
      if (match === null) fail(line, `${tag} is not a plain <%= v.name %> substitution`)
      pieces.push({ kind: 'variable', path: match[1]!.slice(1).split('.'), line })
    } else if (kind !== '#') {
      fail(line, `${tag} runs code or prints raw output, which overrides may not do`)
    }
    line += lineCount(source, open, close)
    i = close + 2
    // `-%>` eats the one line break after the tag, as ejs does (\r\n, \r or \n).
    const eaten = trim ? (/^(?:\r\n|\r|\n)/.exec(source.slice(i, i + 2))?.[0] ?? '') : ''
    i += eaten.length
    line += lineCount(eaten, 0, eaten.length)
  }
  return pieces
}

function lineCount(source: string, from: number, to: number): number {
  let n = 0
  for (let k = source.indexOf('\n', from); k !== -1 && k < to; k = source.indexOf('\n', k + 1)) n++
  return n
}
