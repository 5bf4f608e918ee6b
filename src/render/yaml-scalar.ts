// YAML scalars for docker-compose.yml: JSON-style double-quoted strings, which YAML 1.1 (compose v1,
// PyYAML) and YAML 1.2 (compose v2) read identically, so no value can end the scalar or start a key.
import { SHARED_ESCAPES, templateText, unicodeEscape } from './template-value.js'

// A double-quoted YAML string. Everything outside printable ASCII is escaped (`\uXXXX`, or `\UXXXXXXXX`
// above the BMP) because YAML forbids some printable-looking code points (C1 controls, U+FEFF, U+FFFE).
export function yamlString(value: unknown): string {
  const text = templateText(value)
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (SHARED_ESCAPES[char] !== undefined) out += SHARED_ESCAPES[char]
    else if (code >= 0x20 && code <= 0x7e) out += char
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, '0')}`
    else out += unicodeEscape(char)
  }
  return `"${out}"`
}

// A YAML string compose will not interpolate: compose reads `$VAR`/`${VAR}` inside any string and
// `$$` as one literal `$`.
export function composeString(value: unknown): string {
  return yamlString(templateText(value).replaceAll('$', () => '$$'))
}
