// A small port of Python's ast.literal_eval, because Ansible types INI values with it and authctl must
// produce the same values (see reference/ansible-inventory.md §3).
import { MAX_VALUE_DEPTH, TOO_DEEP } from './limits.js'
import { exactInt, putKey, type InventoryValue } from './value.js'
import { decodeStringBody, readStringLiteral } from './python-string.js'

// Valid Python literals that ansible-inventory itself cannot print (sets, complex numbers, unhashable keys).
export class UnsupportedLiteralError extends Error {}

class NotALiteral extends Error {}

type Kind = 'num' | 'other' | 'complex'
interface Node {
  kind: Kind
  value: InventoryValue
  signed?: boolean
}

const NUMBER = /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/y
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y

class Parser {
  pos = 0
  depth = 0
  unsupported = ''
  constructor(readonly src: string) {}

  fail(): never {
    throw new NotALiteral()
  }

  skip(): void {
    const m = /[ \t\f]*(?:#.*)?/y
    m.lastIndex = this.pos
    if (m.exec(this.src)) this.pos = m.lastIndex
  }

  peek(): string {
    this.skip()
    return this.src[this.pos] ?? ''
  }

  eat(ch: string): boolean {
    if (this.peek() !== ch) return false
    this.pos++
    return true
  }

  expr(): Node {
    const left = this.unary()
    const op = this.peek()
    if (op !== '+' && op !== '-') return left
    this.pos++
    const right = this.unary()
    if (left.kind === 'num' && right.kind === 'complex' && !right.signed) return this.complex()
    return this.fail()
  }

  complex(): Node {
    this.unsupported ||= 'complex numbers'
    return { kind: 'complex', value: null }
  }

  unary(): Node {
    const sign = this.peek()
    if (sign !== '+' && sign !== '-') return this.atom()
    this.pos++
    const operand = this.atom()
    if (operand.signed || operand.kind === 'other') this.fail()
    if (operand.kind === 'complex') return { ...this.complex(), signed: true }
    const value = operand.value as number | bigint
    return { kind: 'num', value: sign === '-' ? (typeof value === 'bigint' ? exactInt(-value) : -value) : value, signed: true }
  }

  atom(): Node {
    const ch = this.peek()
    if (ch === '(' || ch === '[' || ch === '{') return this.nested(ch)
    if (/[0-9.]/.test(ch)) return this.number()
    if (ch === '"' || ch === "'" || /[A-Za-z_]/.test(ch)) return this.nameOrString()
    return this.fail()
  }

  // A tuple, list or dict, counted against MAX_VALUE_DEPTH so a hostile value cannot exhaust the stack.
  nested(open: string): Node {
    if (++this.depth > MAX_VALUE_DEPTH) throw new UnsupportedLiteralError(TOO_DEEP)
    const node = open === '(' ? this.paren() : open === '[' ? { kind: 'other' as const, value: this.items(']') } : this.brace()
    this.depth--
    return node
  }

  paren(): Node {
    this.pos++
    if (this.eat(')')) return { kind: 'other', value: [] }
    const first = this.expr()
    if (this.eat(')')) return first
    if (!this.eat(',')) this.fail()
    return { kind: 'other', value: [first.value, ...this.items(')')] }
  }

  // Comma-separated values up to `close`; a trailing comma is allowed. Assumes the opener was consumed.
  items(close: string): InventoryValue[] {
    if (close === ']') this.pos++
    const out: InventoryValue[] = []
    while (!this.eat(close)) {
      out.push(this.expr().value)
      if (!this.eat(',') && this.peek() !== close) this.fail()
    }
    return out
  }

  brace(): Node {
    this.pos++
    const record: Record<string, InventoryValue> = {}
    if (this.eat('}')) return { kind: 'other', value: record }
    const firstKey = this.expr()
    if (!this.eat(':')) {
      if (!this.eat(',') && this.peek() !== '}') this.fail()
      this.items('}')
      this.unsupported ||= 'sets'
      return { kind: 'other', value: null }
    }
    let key = firstKey
    for (;;) {
      putKey(record, this.keyString(key), this.expr().value)
      if (this.eat('}')) return { kind: 'other', value: record }
      if (!this.eat(',')) this.fail()
      if (this.eat('}')) return { kind: 'other', value: record }
      key = this.expr()
      if (!this.eat(':')) this.fail()
    }
  }

  // json.dumps turns non-string keys into strings this way; unhashable keys make Python raise.
  keyString(key: Node): string {
    const v = key.value
    if (typeof v === 'string') return v
    if (typeof v === 'number' || typeof v === 'bigint') return String(v)
    if (v === true || v === false || v === null) return String(v)
    this.unsupported ||= 'unhashable or tuple dictionary keys'
    return ''
  }

  number(): Node {
    NUMBER.lastIndex = this.pos
    const m = NUMBER.exec(this.src)
    if (!m || m[0] === '.') this.fail()
    const text = m[0]
    this.pos = NUMBER.lastIndex
    if (/[A-Za-z0-9_]/.test(this.src[this.pos] ?? '')) this.fail()
    if (/[jJ]$/.test(text)) return this.complex()
    const clean = text.replace(/_/g, '')
    if (/^0[xXoObB]/.test(clean)) return { kind: 'num', value: exactInt(BigInt(clean)) }
    if (/[.eE]/.test(clean)) return { kind: 'num', value: Number.parseFloat(clean) }
    if (/^0+[1-9]/.test(clean)) this.fail()
    return { kind: 'num', value: exactInt(BigInt(clean)) }
  }

  nameOrString(): Node {
    NAME.lastIndex = this.pos
    const name = NAME.exec(this.src)?.[0] ?? ''
    const quote = this.src[this.pos + name.length]
    if ((quote === '"' || quote === "'") && /^(?:[rRuUbB]|[rR][bB]|[bB][rR])?$/.test(name)) return this.strings()
    this.pos += name.length
    if (name === 'True') return { kind: 'other', value: true }
    if (name === 'False') return { kind: 'other', value: false }
    if (name === 'None') return { kind: 'other', value: null }
    if (name === 'set' && this.eat('(') && this.eat(')')) {
      this.unsupported ||= 'sets'
      return { kind: 'other', value: null }
    }
    return this.fail()
  }

  // Adjacent string literals concatenate; mixing bytes and str is a SyntaxError.
  strings(): Node {
    let out = ''
    let bytes: boolean | undefined
    while (/["'A-Za-z]/.test(this.peek())) {
      const lit = readStringLiteral(this.src, this.pos)
      if (!lit || (bytes !== undefined && bytes !== lit.bytes)) this.fail()
      bytes = lit.bytes
      const decoded = decodeStringBody(lit.body, lit.raw, lit.bytes)
      if (decoded === undefined) this.fail()
      out += decoded
      this.pos = lit.end
    }
    return { kind: 'other', value: out }
  }
}

// Evaluate `text` as a Python literal; throws NotALiteral-style Error when it is not one.
export function evalPythonLiteral(text: string): InventoryValue {
  const parser = new Parser(text)
  const node = parser.expr()
  if (parser.peek() !== '') parser.fail()
  if (parser.unsupported) throw new UnsupportedLiteralError(`Python ${parser.unsupported} cannot be represented in an inventory value`)
  return node.value
}

// Ansible's _parse_value: the literal's value, or the text itself when it is not a literal.
export function parsePythonValue(text: string): InventoryValue {
  try {
    return evalPythonLiteral(text)
  } catch (error) {
    if (error instanceof NotALiteral) return text
    throw error
  }
}
