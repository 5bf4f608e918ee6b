// The one Jinja idiom authctl evaluates in a variable it reads: `{{ lookup('env', 'NAME') }}`, optionally
// with `default='…'` or `| default('…'[, true])`, with Ansible's meaning (an unset variable is '', which
// `default('…')` keeps and `default('…', true)` replaces). Anything else is refused by the caller.

// Whether Ansible would template the text (is_possibly_template: {{, {% or {#).
export function isTemplate(text: string): boolean {
  return /\{\{|\{%|\{#/.test(text)
}

const Q = String.raw`(?:'([^'\\]*)'|"([^"\\]*)")`
const BOOL = String.raw`(?:true|True|false|False)`
const LOOKUP = new RegExp(String.raw`^\s*lookup\(\s*${Q}\s*,\s*${Q}\s*(?:,\s*default\s*=\s*${Q}\s*)?\)\s*(?:\|\s*(?:default|d)\(\s*${Q}\s*(?:,\s*(${BOOL})\s*)?\)\s*)?$`)

// The text with each `{{ … }}` replaced by its value, or the first expression authctl cannot evaluate.
export function renderEnvTemplate(text: string, env: NodeJS.ProcessEnv): { value: string } | { unsupported: string } {
  const statement = /\{%[\s\S]*?(?:%\}|$)|\{#[\s\S]*?(?:#\}|$)/.exec(text)
  if (statement) return { unsupported: statement[0] }
  let unsupported: string | undefined
  const value = text.replace(/\{\{([\s\S]*?)(?:\}\}|$)/g, (whole, expr: string) => {
    const m = LOOKUP.exec(expr)
    const plugin = m?.[1] ?? m?.[2]
    if (!m || (plugin !== 'env' && plugin !== 'ansible.builtin.env')) {
      unsupported ??= whole
      return ''
    }
    // env lookup: the first word of the term, os.environ.get(name, default) with default '' (lookup/env.py)
    const name = (m[3] ?? m[4] ?? '').split(/\s+/).filter(Boolean)[0] ?? ''
    const looked = env[name] ?? m[5] ?? m[6] ?? ''
    const fallback = m[7] ?? m[8]
    // the default filter replaces only an undefined value, or with its second argument true any falsy one
    return fallback !== undefined && /^[tT]rue$/.test(m[9] ?? '') && looked === '' ? fallback : looked
  })
  return unsupported === undefined ? { value } : { unsupported }
}
