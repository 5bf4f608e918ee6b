// What an ejs `<%= %>` tag may emit into a config file: a string or a finite number, never
// `undefined`, `null` or an object, so a typo in a template fails loudly instead of rendering "".
import { ConfigError } from '../errors.js'

// Narrows the value an escape function receives; throws on anything that is not text.
export function templateText(value: unknown): string {
  if (typeof value === 'string') {
    // A lone UTF-16 surrogate would be written as U+FFFD: the file would not say what the input said.
    if (/\p{Surrogate}/u.test(value)) throw new ConfigError('a template value is not valid Unicode (lone surrogate)')
    return value
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  const shown = value === null ? 'null' : typeof value
  throw new ConfigError(`a template emits ${shown} where text is expected`, {
    hint: 'a template prints a value that is not set; compare it with the default in the package templates/ folder',
  })
}

// \uXXXX for one UTF-16 unit, the escape HCL (v1 and v2), Go, JSON and YAML all read the same way.
export function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

// The escapes HCL, Go, JSON and YAML double-quoted strings share, by the character they replace.
export const SHARED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

// Control characters and the Unicode line separators, which some parsers treat as line ends.
export function isControl(char: string): boolean {
  return /^[\p{Cc}\u2028\u2029]$/u.test(char)
}
