// @ts-check
// Executes a parsed template the way Go's text/template does for the functions consul-template adds here.
import { TemplateError } from './template-parse.mjs'

/** @typedef {import('./template-parse.mjs').Node} Node */
/** @typedef {import('./template-parse.mjs').Operand} Operand */
/** @typedef {{name: string, errorOnMissingKey: boolean, secret: (path: string) => unknown}} ExecOptions */

const NO_VALUE = Symbol('no value')

/** @param {unknown} v */
function truthy(v) {
  if (v === null || v === undefined || v === NO_VALUE || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(/** @type {object} */ (v)).length > 0
  return true
}

// Go's %v for the JSON values a secret holds.
/** @param {unknown} v @returns {string} */
export function formatValue(v) {
  if (v === NO_VALUE || v === undefined || v === null) return '<no value>'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`
  const obj = /** @type {Record<string, unknown>} */ (v)
  return `map[${Object.keys(obj).sort().map((k) => `${k}:${formatValue(obj[k])}`).join(' ')}]`
}

/** @param {unknown} v @param {boolean} escapeHtml */
function toJson(v, escapeHtml) {
  const s = JSON.stringify(v === NO_VALUE ? null : v) ?? 'null'
  return escapeHtml ? s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') : s
}

/** @type {Record<string, (args: unknown[], o: ExecOptions) => unknown>} */
const FUNCS = {
  secret: ([p], o) => o.secret(String(p)),
  index: ([obj, ...keys], o) => keys.reduce((acc, k) => field(acc, String(k), o, `index`), obj),
  replaceAll: ([from, to, s]) => String(formatValue(s)).split(String(from)).join(String(to)),
  toJSON: ([v]) => toJson(v, true),
  toUnescapedJSON: ([v]) => toJson(v, false),
  trimSpace: ([s]) => formatValue(s).trim(),
  toUpper: ([s]) => formatValue(s).toUpperCase(),
  toLower: ([s]) => formatValue(s).toLowerCase(),
}

/** @param {unknown} obj @param {string} key @param {ExecOptions} o @param {string} expr */
function field(obj, key, o, expr) {
  if (obj === null || obj === undefined || obj === NO_VALUE) {
    throw new TemplateError(`executing "${o.name}" at <${expr}>: nil pointer evaluating interface {}.${key}`)
  }
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TemplateError(`executing "${o.name}" at <${expr}>: can't evaluate field ${key} in type ${typeof obj}`)
  }
  if (Object.prototype.hasOwnProperty.call(obj, key)) return /** @type {Record<string, unknown>} */ (obj)[key]
  if (o.errorOnMissingKey) throw new TemplateError(`executing "${o.name}" at <${expr}>: map has no entry for key "${key}"`)
  return NO_VALUE
}

/** @param {Operand} op @param {unknown} dot @param {ExecOptions} o */
function operand(op, dot, o) {
  if (op.kind === 'string' || op.kind === 'number') return op.value
  if (op.kind === 'field') return op.path.reduce((acc, k, i) => field(acc, k, o, `.${op.path.slice(0, i + 1).join('.')}`), dot)
  throw new TemplateError(`executing "${o.name}": function "${op.name}" used as a value`)
}

/** @param {import('./template-parse.mjs').Pipeline} pipe @param {unknown} dot @param {ExecOptions} o */
function evalPipeline(pipe, dot, o) {
  /** @type {unknown} */
  let piped = undefined
  pipe.commands.forEach((cmd, idx) => {
    const [head, ...rest] = cmd
    if (head?.kind === 'func') {
      const fn = FUNCS[head.name]
      if (!fn) throw new TemplateError(`${o.name}:${pipe.line}: function "${head.name}" not defined`)
      const args = rest.map((r) => operand(r, dot, o))
      if (idx > 0) args.push(piped)
      piped = fn(args, o)
    } else {
      if (idx > 0 || rest.length > 0) throw new TemplateError(`${o.name}:${pipe.line}: can't give argument to non-function ${pipe.text}`)
      piped = operand(/** @type {Operand} */ (head), dot, o)
    }
  })
  return piped
}

// Renders the tree; `secret` must answer synchronously from the prefetched responses.
/** @param {Node[]} nodes @param {ExecOptions} o @param {unknown} [dot] @returns {string} */
export function execTemplate(nodes, o, dot = null) {
  let out = ''
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text
    else if (n.kind === 'output') out += formatValue(evalPipeline(n.pipe, dot, o))
    else {
      const v = evalPipeline(n.pipe, dot, o)
      if (truthy(v)) out += execTemplate(n.body, o, n.kind === 'with' ? v : dot)
      else out += execTemplate(n.elseBody, o, dot)
    }
  }
  return out
}
