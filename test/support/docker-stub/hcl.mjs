// @ts-check
// The HCL subset Vault Agent configs use: blocks with labels, attributes, strings, numbers, bools, lists, objects.
// Blocks become arrays of objects (labels under `__labels`); attributes become plain values.

/** @typedef {string | number | boolean | unknown[] | {[key: string]: unknown}} HclValue */
/** @typedef {{kind: 'ident' | 'string' | 'number' | 'punct' | 'eof', text: string, value: string | number, line: number, col: number}} Token */

export class HclError extends Error {}

/** @param {string} src @returns {Token[]} */
function tokenize(src) {
  /** @type {Token[]} */
  const out = []
  let i = 0
  let line = 1
  let lineStart = 0
  const err = (/** @type {string} */ msg) => new HclError(`At ${line}:${i - lineStart + 1}: ${msg}`)
  while (i < src.length) {
    const c = /** @type {string} */ (src[i])
    const col = i - lineStart + 1
    if (c === '\n') {
      line++
      lineStart = ++i
    } else if (/\s/.test(c)) i++
    else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      if (end < 0) throw err('comment not terminated')
      for (let k = i; k < end; k++) if (src[k] === '\n') { line++; lineStart = k + 1 }
      i = end + 2
    } else if (c === '"') {
      let s = ''
      i++
      for (;;) {
        const d = src[i]
        if (d === undefined || d === '\n') throw err('literal not terminated')
        if (d === '"') break
        if (d === '\\') {
          const e = src[i + 1]
          const map = /** @type {Record<string, string>} */ ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' })
          if (e === 'u' || e === 'U') {
            const len = e === 'u' ? 4 : 8
            s += String.fromCodePoint(parseInt(src.slice(i + 2, i + 2 + len), 16))
            i += 2 + len
            continue
          }
          if (e === undefined || map[e] === undefined) throw err('unknown escape sequence')
          s += map[e]
          i += 2
          continue
        }
        s += d
        i++
      }
      i++
      out.push({ kind: 'string', text: s, value: s, line, col })
    } else if (/[0-9-]/.test(c)) {
      const m = /** @type {RegExpMatchArray} */ (src.slice(i).match(/^-?(0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)/))
      if (!m) throw err(`illegal char`)
      const t = m[0]
      // HCL1 (what Vault parses configs with) reads a leading 0 as octal: mode = 0600.
      const v = /^-?0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t)
      out.push({ kind: 'number', text: t, value: v, line, col })
      i += t.length
    } else if (/[A-Za-z_]/.test(c)) {
      const t = /** @type {RegExpMatchArray} */ (src.slice(i).match(/^[A-Za-z_][A-Za-z0-9_.-]*/))[0]
      out.push({ kind: 'ident', text: t, value: t, line, col })
      i += t.length
    } else if ('{}[]=,:'.includes(c)) {
      out.push({ kind: 'punct', text: c, value: c, line, col })
      i++
    } else throw err(`illegal char ${JSON.stringify(c)}`)
  }
  out.push({ kind: 'eof', text: 'EOF', value: '', line, col: i - lineStart + 1 })
  return out
}

// Parses a config file into nested objects; throws HclError("At L:C: ...") like Vault's HCL1 parser.
/** @param {string} src @returns {{[key: string]: HclValue}} */
export function parseHcl(src) {
  const toks = tokenize(src)
  let pos = 0
  const peek = () => /** @type {Token} */ (toks[pos])
  const next = () => /** @type {Token} */ (toks[pos++])
  const fail = (/** @type {Token} */ t, /** @type {string} */ want) => new HclError(`At ${t.line}:${t.col}: expected: ${want} got: ${t.kind === 'eof' ? 'EOF' : t.text}`)
  const expect = (/** @type {string} */ p) => {
    const t = next()
    if (t.kind !== 'punct' || t.text !== p) throw fail(t, p)
  }

  /** @returns {HclValue} */
  const value = () => {
    const t = next()
    if (t.kind === 'string' || t.kind === 'number') return t.value
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true'
    if (t.kind === 'punct' && t.text === '[') {
      /** @type {HclValue[]} */
      const list = []
      while (!(peek().kind === 'punct' && peek().text === ']')) {
        list.push(value())
        if (peek().kind === 'punct' && peek().text === ',') next()
        else if (!(peek().kind === 'punct' && peek().text === ']')) throw fail(peek(), ', or ]')
      }
      next()
      return list
    }
    if (t.kind === 'punct' && t.text === '{') return body(true)
    throw fail(t, 'value')
  }

  /** @param {boolean} inBraces @returns {{[key: string]: HclValue}} */
  const body = (inBraces) => {
    /** @type {{[key: string]: HclValue}} */
    const obj = {}
    for (;;) {
      const t = next()
      if (t.kind === 'eof') {
        if (inBraces) throw fail(t, '}')
        return obj
      }
      if (t.kind === 'punct' && t.text === '}' && inBraces) return obj
      if (t.kind === 'punct' && t.text === ',') continue
      if (t.kind !== 'ident' && t.kind !== 'string') throw fail(t, 'IDENT | STRING')
      const key = String(t.value)
      const after = peek()
      if (after.kind === 'punct' && (after.text === '=' || after.text === ':')) {
        next()
        obj[key] = value()
        continue
      }
      /** @type {string[]} */
      const labels = []
      while (peek().kind === 'string' || peek().kind === 'ident') labels.push(String(next().value))
      expect('{')
      const block = body(true)
      block.__labels = labels
      const list = obj[key]
      obj[key] = Array.isArray(list) ? [...list, block] : [block]
    }
  }
  return body(false)
}

// A block or an object-valued attribute (`config { }` and `config = { }` are both accepted by Vault).
/** @param {{[key: string]: HclValue}} obj @param {string} key @returns {{[key: string]: HclValue}[]} */
export function sections(obj, key) {
  const v = obj[key]
  if (Array.isArray(v)) return /** @type {{[key: string]: HclValue}[]} */ (v.filter((x) => typeof x === 'object' && x !== null && !Array.isArray(x)))
  if (typeof v === 'object' && v !== null) return [/** @type {{[key: string]: HclValue}} */ (v)]
  return []
}
