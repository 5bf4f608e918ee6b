// Ansible's `~regex` host patterns are Python regular expressions (re.compile(...).match). Most of the
// syntax is JavaScript's too; the Python-only parts are translated here, and what JavaScript (Node 20)
// cannot express is refused naming the part.

// A pattern Python accepts that authctl cannot translate; the message names the part.
export class UnsupportedRegexError extends Error {}
// A pattern Python itself refuses (Ansible says "Invalid host list pattern").
export class InvalidRegexError extends Error {}

const FLAG_LETTERS = 'aiLmsux'

// Python's leading inline flags as JavaScript flags: i, m, s carry over; a (ASCII classes, JavaScript's
// default) and u (Unicode, Python's default for text) change nothing here; x is applied while translating.
function jsFlags(letters: string): { flags: string; verbose: boolean } {
  if (letters.includes('L')) throw new InvalidRegexError('(?L) is only valid for bytes patterns')
  if (letters.includes('a') && letters.includes('u')) throw new InvalidRegexError('(?a) and (?u) are incompatible')
  return { flags: [...new Set(letters.replace(/[aux]/g, ''))].sort().join(''), verbose: letters.includes('x') }
}

// Translate a Python regex to a JavaScript RegExp anchored at the start, as Python's match() is.
export function pythonRegExp(pattern: string): RegExp {
  let i = 0
  let letters = ''
  // global flags: Python 3.11 accepts them only at the very start (several groups in a row are fine)
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(pattern); m; m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i))) {
    const group = m[1] as string
    if ([...group].some((c) => !FLAG_LETTERS.includes(c))) break
    letters += group
    i += m[0].length
  }
  const { flags, verbose } = jsFlags(letters)
  let out = ''
  let depth = 0
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (verbose && /\s/.test(c)) {
      i++
    } else if (verbose && c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++
    } else if (c === '\\') {
      const [text, next] = escape(pattern, i)
      out += text
      i = next
    } else if (c === '[') {
      const [text, next] = charClass(pattern, i)
      out += text
      i = next
    } else if (c === '(') {
      const { text, next, opens } = groupOpen(pattern, i)
      out += text
      i = next
      if (opens) depth++
    } else if (c === ')') {
      if (--depth < 0) throw new InvalidRegexError('unbalanced parenthesis')
      out += c
      i++
    } else if ('*+?}'.includes(c) && pattern[i + 1] === '+') {
      throw new UnsupportedRegexError(`the possessive quantifier ${c}+ (write it without the second +)`)
    } else {
      out += c
      i++
    }
  }
  try {
    return new RegExp(`^(?:${out})`, flags)
  } catch (error) {
    throw new InvalidRegexError((error as Error).message)
  }
}

// An escape: \A and \Z as lookarounds (JavaScript reads them as letters); \N{...} is Python-only.
function escape(pattern: string, i: number): [string, number] {
  const next = pattern[i + 1]
  if (next === undefined) throw new InvalidRegexError('bad escape (end of pattern)')
  if (next === 'A') return ['(?<![\\s\\S])', i + 2]
  if (next === 'Z') return ['(?![\\s\\S])', i + 2]
  if (next === 'N') throw new UnsupportedRegexError('the named character escape \\N{...} (write the character itself)')
  return [`\\${next}`, i + 2]
}

// A character class copied through; Python reads a `]` first in the class as a literal, JavaScript as the end.
function charClass(pattern: string, start: number): [string, number] {
  let i = start + 1
  let out = '['
  if (pattern[i] === '^') {
    out += '^'
    i++
  }
  if (pattern[i] === ']') {
    out += '\\]'
    i++
  }
  while (i < pattern.length && pattern[i] !== ']') {
    if (pattern[i] === '\\') {
      const [text, next] = escape(pattern, i)
      if (text.startsWith('(?')) throw new InvalidRegexError(`bad escape ${pattern.slice(i, next)} in a character class`)
      out += text
      i = next
    } else out += pattern[i++]
  }
  if (i >= pattern.length) throw new InvalidRegexError('unterminated character set')
  return [out + ']', i + 1]
}

// A group opening (or a Python construct written like one): Python's (?P<name>…), (?P=name) and (?#…)
// translated; what JavaScript lacks refused. `opens` says whether a group was opened.
function groupOpen(pattern: string, i: number): { text: string; next: number; opens: boolean } {
  const rest = pattern.slice(i)
  const plain = /^\((?!\?)|^\(\?(?::|=|!|<=|<!)/.exec(rest)
  if (plain) return { text: plain[0], next: i + plain[0].length, opens: true }
  const named = /^\(\?P<([^>]*)>/.exec(rest)
  if (named) return { text: `(?<${named[1] ?? ''}>`, next: i + named[0].length, opens: true }
  const backref = /^\(\?P=([^)]*)\)/.exec(rest)
  if (backref) return { text: `\\k<${backref[1] ?? ''}>`, next: i + backref[0].length, opens: false }
  if (rest.startsWith('(?#')) {
    const end = pattern.indexOf(')', i)
    if (end < 0) throw new InvalidRegexError('missing ), unterminated comment')
    return { text: '', next: end + 1, opens: false }
  }
  if (rest.startsWith('(?>')) throw new UnsupportedRegexError('the atomic group (?>...) (write the group as (?:...))')
  if (rest.startsWith('(?(')) throw new UnsupportedRegexError('the conditional group (?(...)...) (list the alternatives with |)')
  const scoped = /^\(\?[aiLmsux]*(?:-[imsx]+)?:/.exec(rest)
  if (scoped) throw new UnsupportedRegexError(`the scoped flags ${scoped[0]}...) (put the flags at the start of the pattern, as (?i))`)
  if (/^\(\?[aiLmsux]+\)/.test(rest)) throw new InvalidRegexError('global flags not at the start of the expression')
  if (rest.startsWith('(?<')) throw new InvalidRegexError('unknown extension ?< (Python names groups (?P<name>...))')
  throw new InvalidRegexError(`unknown extension ${rest.slice(0, 3)}`)
}
