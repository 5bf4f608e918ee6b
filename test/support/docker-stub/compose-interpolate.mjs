// @ts-check
// Compose variable interpolation ($VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+r}, ${VAR+r}, $$).
import { StubError, EXIT_PARSE_FAILURE } from './errors.mjs'

const NAME_START = /[_a-zA-Z]/
const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/

/**
 * @typedef {object} InterpolationContext
 * @property {Record<string, string | undefined>} env
 * @property {(name: string) => void} warnUnset
 */

// Walks the parsed YAML and interpolates every string value (keys are left alone, as compose does).
/** @param {unknown} value @param {InterpolationContext} ctx @param {string} path dotted path for errors @returns {unknown} */
export function interpolateTree(value, ctx, path = '') {
  if (typeof value === 'string') return interpolateString(value, ctx, path)
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, ctx, `${path}[${i}]`))
  if (value !== null && typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {}
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, ctx, path ? `${path}.${k}` : k)
    return out
  }
  return value
}

// Finds the `}` that closes a `${` starting at `open` (nested ${...} in defaults are allowed).
/** @param {string} s @param {number} open */
function closingBrace(s, open) {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++
      i++
    } else if (s[i] === '}') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/** @param {string} s @param {InterpolationContext} ctx @param {string} path @returns {string} */
export function interpolateString(s, ctx, path) {
  const invalid = () =>
    new StubError(`invalid interpolation format for ${path}.\nYou may need to escape any $ with another $.\n${s}`, EXIT_PARSE_FAILURE)
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (ch !== '$') {
      out += ch
      continue
    }
    const next = s[i + 1]
    if (next === '$') {
      out += '$'
      i++
    } else if (next === '{') {
      const end = closingBrace(s, i)
      if (end < 0) throw invalid()
      out += expandBraced(s.slice(i + 2, end), ctx, path, invalid)
      i = end
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = /** @type {RegExpMatchArray} */ (s.slice(i + 1).match(NAME))[0]
      out += lookup(name, ctx)
      i += name.length
    } else {
      throw invalid()
    }
  }
  return out
}

/** @param {string} name @param {InterpolationContext} ctx */
function lookup(name, ctx) {
  const v = ctx.env[name]
  if (v === undefined) {
    ctx.warnUnset(name)
    return ''
  }
  return v
}

/** @param {string} body @param {InterpolationContext} ctx @param {string} path @param {() => Error} invalid */
function expandBraced(body, ctx, path, invalid) {
  const m = body.match(NAME)
  if (!m) throw invalid()
  const name = m[0]
  const op = body.slice(name.length)
  if (op === '') return lookup(name, ctx)
  const v = ctx.env[name]
  const sub = () => interpolateString(op.replace(/^:?[-?+]/, ''), ctx, path)
  if (op.startsWith(':-')) return v === undefined || v === '' ? sub() : v
  if (op.startsWith('-')) return v === undefined ? sub() : v
  if (op.startsWith(':+')) return v === undefined || v === '' ? '' : sub()
  if (op.startsWith('+')) return v === undefined ? '' : sub()
  if (op.startsWith(':?') || op.startsWith('?')) {
    const missing = op.startsWith(':?') ? v === undefined || v === '' : v === undefined
    if (!missing) return /** @type {string} */ (v)
    throw new StubError(`error while interpolating ${path}: required variable ${name} is missing a value: ${sub()}`, EXIT_PARSE_FAILURE)
  }
  throw invalid()
}
