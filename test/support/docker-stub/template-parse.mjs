// @ts-check
// Parser for the consul-template subset used in .env.tpl files: text, {{ pipeline }}, with/if/else/end,
// comments, {{- -}} trim markers, string literals with Go escapes, pipes.

/** @typedef {{kind: 'field', path: string[]} | {kind: 'string', value: string} | {kind: 'number', value: number} | {kind: 'func', name: string}} Operand */
/** @typedef {Operand[]} Command */
/** @typedef {{commands: Command[], text: string, line: number}} Pipeline */
/** @typedef {{kind: 'text', text: string} | {kind: 'output', pipe: Pipeline} | {kind: 'with' | 'if', pipe: Pipeline, body: Node[], elseBody: Node[]}} Node */

export class TemplateError extends Error {}

// Go string literal: "..." with escapes, or `raw`.
/** @param {string} s @param {number} i index of the opening quote @returns {[string, number]} value and index after */
function readString(s, i) {
  if (s[i] === '`') {
    const end = s.indexOf('`', i + 1)
    if (end < 0) throw new TemplateError('unterminated raw quoted string')
    return [s.slice(i + 1, end), end + 1]
  }
  let out = ''
  const esc = /** @type {Record<string, string>} */ ({ n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' })
  for (let j = i + 1; j < s.length; j++) {
    const c = /** @type {string} */ (s[j])
    if (c === '"') return [out, j + 1]
    if (c === '\\') {
      const e = s[j + 1] ?? ''
      if (e === 'x') {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 4), 16))
        j += 3
      } else if (e === 'u') {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16))
        j += 5
      } else if (esc[e] !== undefined) {
        out += esc[e]
        j++
      } else throw new TemplateError(`unknown escape sequence: \\${e}`)
    } else out += c
  }
  throw new TemplateError('unterminated quoted string')
}

/** @param {string} src action text without delimiters @param {number} line @returns {Pipeline} */
function parsePipeline(src, line) {
  /** @type {Command[]} */
  const commands = []
  /** @type {Command} */
  let cur = []
  let i = 0
  while (i < src.length) {
    const c = /** @type {string} */ (src[i])
    if (/\s/.test(c)) i++
    else if (c === '|') {
      commands.push(cur)
      cur = []
      i++
    } else if (c === '"' || c === '`') {
      const [value, end] = readString(src, i)
      cur.push({ kind: 'string', value })
      i = end
    } else if (c === '.') {
      const m = /** @type {RegExpMatchArray} */ (src.slice(i).match(/^(\.[A-Za-z0-9_]*)+/))
      cur.push({ kind: 'field', path: m[0].split('.').slice(1).filter((p) => p !== '') })
      i += m[0].length
    } else if (/[-0-9]/.test(c)) {
      const m = src.slice(i).match(/^-?[0-9]+(\.[0-9]+)?/)
      if (!m) throw new TemplateError(`template: ${line}: bad number syntax`)
      cur.push({ kind: 'number', value: Number(m[0]) })
      i += m[0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /** @type {RegExpMatchArray} */ (src.slice(i).match(/^[A-Za-z_][A-Za-z0-9_]*/))
      cur.push({ kind: 'func', name: m[0] })
      i += m[0].length
    } else throw new TemplateError(`template: ${line}: unexpected ${JSON.stringify(c)} in command`)
  }
  commands.push(cur)
  if (commands.some((cmd) => cmd.length === 0)) throw new TemplateError(`template: ${line}: missing value for command`)
  return { commands, text: src.trim(), line }
}

// Parses a template into a tree; errors carry Go's "template: NAME:LINE: ..." shape (name added by caller).
/** @param {string} src @returns {Node[]} */
export function parseTemplate(src) {
  /** @type {Array<{kind: 'text' | 'action', text: string, line: number}>} */
  const pieces = []
  let i = 0
  let line = 1
  while (i < src.length) {
    const open = src.indexOf('{{', i)
    if (open < 0) {
      pieces.push({ kind: 'text', text: src.slice(i), line })
      break
    }
    let text = src.slice(i, open)
    const close = src.indexOf('}}', open + 2)
    if (close < 0) throw new TemplateError(`${line}: unclosed action`)
    let inner = src.slice(open + 2, close)
    if (/^-[ \t\r\n]/.test(inner)) {
      text = text.replace(/[ \t\r\n]+$/, '')
      inner = inner.slice(1)
    }
    let next = close + 2
    let trimAfter = false
    if (/[ \t\r\n]-$/.test(inner)) {
      inner = inner.slice(0, -1)
      trimAfter = true
    }
    pieces.push({ kind: 'text', text, line })
    line += (src.slice(i, open).match(/\n/g) ?? []).length
    pieces.push({ kind: 'action', text: inner.trim(), line })
    line += (inner.match(/\n/g) ?? []).length
    if (trimAfter) {
      const m = src.slice(next).match(/^[ \t\r\n]*/)
      const skipped = m ? m[0] : ''
      line += (skipped.match(/\n/g) ?? []).length
      next += skipped.length
    }
    i = next
  }
  /** @type {Node[]} */
  const root = []
  /** @type {Array<{node: Node & {kind: 'with' | 'if'}, inElse: boolean}>} */
  const stack = []
  const target = () => {
    const top = stack[stack.length - 1]
    if (!top) return root
    return top.inElse ? top.node.elseBody : top.node.body
  }
  for (const p of pieces) {
    if (p.kind === 'text') {
      if (p.text) target().push({ kind: 'text', text: p.text })
      continue
    }
    const a = p.text
    if (a.startsWith('/*')) {
      if (!a.endsWith('*/')) throw new TemplateError(`${p.line}: unclosed comment`)
      continue
    }
    const word = a.split(/\s+/)[0]
    if (word === 'with' || word === 'if') {
      /** @type {Node & {kind: 'with' | 'if'}} */
      const node = { kind: word, pipe: parsePipeline(a.slice(word.length), p.line), body: [], elseBody: [] }
      target().push(node)
      stack.push({ node, inElse: false })
    } else if (word === 'else') {
      const top = stack[stack.length - 1]
      if (!top || top.inElse) throw new TemplateError(`${p.line}: unexpected {{else}}`)
      top.inElse = true
    } else if (word === 'end') {
      if (!stack.pop()) throw new TemplateError(`${p.line}: unexpected {{end}}`)
    } else {
      target().push({ kind: 'output', pipe: parsePipeline(a, p.line) })
    }
  }
  if (stack.length > 0) throw new TemplateError(`${line}: unexpected EOF`)
  return root
}

// The static `secret "PATH"` arguments, fetched before rendering (consul-template's dependency pass).
/** @param {Node[]} nodes @returns {string[]} */
export function secretPaths(nodes) {
  /** @type {string[]} */
  const out = []
  /** @param {Pipeline} pipe */
  const scan = (pipe) => {
    for (const cmd of pipe.commands) {
      const [head, arg] = cmd
      if (head?.kind === 'func' && head.name === 'secret' && arg?.kind === 'string' && !out.includes(arg.value)) out.push(arg.value)
    }
  }
  /** @param {Node[]} list */
  const walk = (list) => {
    for (const n of list) {
      if (n.kind === 'output') scan(n.pipe)
      else if (n.kind !== 'text') {
        scan(n.pipe)
        walk(n.body)
        walk(n.elseBody)
      }
    }
  }
  walk(nodes)
  return out
}
