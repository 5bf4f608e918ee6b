// Python's shlex.split(line, comments=True) in POSIX mode: Ansible tokenises INI host lines with it.

// Raised with shlex's own messages ("No closing quotation", "No escaped character").
export class ShlexError extends Error {}

// Split a line into words: quotes group and are removed, `\` escapes, an unquoted `#` starts a comment.
export function shlexSplit(line: string): string[] {
  const tokens: string[] = []
  let token = ''
  let inToken = false
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quote) {
      if (ch === quote) quote = ''
      else if (ch === '\\' && quote === '"') {
        const next = line[i + 1]
        if (next === undefined) throw new ShlexError('No escaped character')
        token += next === '"' || next === '\\' ? next : ch + next
        i++
      } else token += ch
      continue
    }
    if (' \t\r\n'.includes(ch)) {
      if (inToken) tokens.push(token)
      token = ''
      inToken = false
    } else if (ch === '#') {
      break
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inToken = true
    } else if (ch === '\\') {
      const next = line[i + 1]
      if (next === undefined) throw new ShlexError('No escaped character')
      token += next
      inToken = true
      i++
    } else {
      token += ch
      inToken = true
    }
  }
  if (quote) throw new ShlexError('No closing quotation')
  if (inToken) tokens.push(token)
  return tokens
}
