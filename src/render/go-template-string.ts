// Go string literals inside consul-template actions (`{{ with secret "PATH" }}`): text/template reads
// a double-quoted argument with strconv.Unquote, i.e. Go's escape rules.
import { SHARED_ESCAPES, isControl, templateText, unicodeEscape } from './template-value.js'

// A complete double-quoted Go string. Control characters become `\uXXXX` (a raw newline would end the
// action: "unterminated quoted string"); other characters stay as UTF-8, which Go source allows.
export function goTemplateString(value: unknown): string {
  const text = templateText(value)
  let out = ''
  for (const char of text) {
    if (SHARED_ESCAPES[char] !== undefined) out += SHARED_ESCAPES[char]
    else if (isControl(char)) out += unicodeEscape(char)
    else out += char
  }
  return `"${out}"`
}
