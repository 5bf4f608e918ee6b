// Line splitting exactly as OpenSSH's readconf.c: strdelim() for the keyword (`Key Value`, `Key=Value`,
// `Key = Value`) and argv_split() for the arguments (quotes, a few escapes, `#` comments at a word start).

// One config line cut into its keyword (lower case) and the raw rest, or undefined for a blank/comment line.
export interface SplitLine {
  keyword: string
  rest: string
}

// Why a line could not be split: the caller adds path:line.
export class LexError extends Error {}

// strdelim() on the first word: it ends at whitespace, `"` or `=`, and one `=` with spaces around is skipped.
export function splitConfigLine(line: string): SplitLine | undefined {
  const trimmed = line.replace(/[ \t\r\n\f]+$/, '')
  const m = /^[ \t\r\n]*([^ \t\r\n="]*)(.*)$/s.exec(trimmed)
  const keyword = m?.[1] ?? ''
  if (keyword === '' || keyword.startsWith('#')) return undefined
  const rest = (m?.[2] ?? '').replace(/^[ \t\r\n]*(?:=[ \t\r\n]*)?/, '')
  return { keyword: keyword.toLowerCase(), rest }
}

// argv_split(s, terminate_on_comment=1): `'` and `"` group, `\` escapes only quotes, `\` and (unquoted) space.
export function argvSplit(s: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i] as string
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    if (c === '#') break
    let word = ''
    let quote = ''
    for (; i < s.length; i++) {
      const ch = s[i] as string
      const next = s[i + 1]
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          word += next
          i++
        } else word += ch
      } else if (quote === '' && (ch === ' ' || ch === '\t')) break
      else if (quote === '' && (ch === '"' || ch === "'")) quote = ch
      else if (quote !== '' && ch === quote) quote = ''
      else word += ch
    }
    if (quote !== '') throw new LexError('invalid quotes')
    words.push(word)
  }
  return words
}

// POSIX shell words as Python's shlex.split (comments off), which Ansible uses on ansible_ssh_*_args.
export function shellWords(s: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string
    if (quote !== '') {
      if (ch === quote) quote = ''
      else if (ch === '\\' && quote === '"' && (s[i + 1] === '"' || s[i + 1] === '\\')) word += s[++i]
      else word += ch
    } else if (' \t\r\n'.includes(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= s.length) throw new LexError('no escaped character')
      word += s[++i]
      inWord = true
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote !== '') throw new LexError('no closing quotation')
  if (inWord) words.push(word)
  return words
}
