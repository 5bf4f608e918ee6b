// HCL string literals for config.hcl. Vault Agent parses its config with HCL v1, `terraform fmt`
// (our validator) with HCL v2: every escape here reads the same in both.
import { SHARED_ESCAPES, isControl, templateText, unicodeEscape } from './template-value.js'

// A complete double-quoted HCL string for any text. `${` and `%{` become `\u0024{` / `\u0025{`:
// HCL v2's `$${` would be read literally as `$${` by HCL v1, while a `\u` escape is never a template.
export function hclString(value: unknown): string {
  const text = templateText(value)
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i)
    const next = text.charAt(i + 1)
    if ((char === '$' || char === '%') && next === '{') out += unicodeEscape(char)
    else if (SHARED_ESCAPES[char] !== undefined) out += SHARED_ESCAPES[char]
    else if (isControl(char)) out += unicodeEscape(char)
    else out += char
  }
  return `"${out}"`
}
