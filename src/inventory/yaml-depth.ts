// Nesting depth of YAML, checked twice: on the source before the document is composed (the yaml package
// composes recursively, and deep input overflows the stack, even inside V8's regexp compiler),
// and on the composed document with aliases followed (a self-referencing anchor, or anchors each
// nesting the last, would reach toJS, merges and JSON output unbounded).
import { CST, isAlias, isCollection, isPair, Lexer, Parser, type Document, type Node } from 'yaml'
import { MAX_VALUE_DEPTH } from './limits.js'

// Lexemes the yaml lexer emits as markers; they take no room in the source.
const MARKERS = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR])

// The offset of the first flow collection ([ or {) opened deeper than MAX_VALUE_DEPTH, from the lexer,
// which knows quotes, comments and plain scalars and stops right there: a line of 300,000 brackets
// costs 65 lexemes, not a parse.
function flowTooDeep(text: string): number | undefined {
  let offset = 0
  let depth = 0
  for (const lexeme of new Lexer().lex(text)) {
    const type = CST.tokenType(lexeme)
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++depth > MAX_VALUE_DEPTH) return offset
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') depth--
    if (!MARKERS.has(lexeme)) offset += lexeme.length
  }
  return undefined
}

// The source offset of the first collection deeper than MAX_VALUE_DEPTH, or undefined: flow nesting from
// the lexer first, then block and mixed nesting from yaml's token parser (which keeps its own stack, so
// deep input cannot overflow here; block nesting is bounded by the file size anyway).
export function sourceTooDeep(text: string): number | undefined {
  const flow = flowTooDeep(text)
  if (flow !== undefined) return flow
  for (const top of new Parser().parse(text)) {
    if (top.type !== 'document') continue
    const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [{ token: top.value, depth: 0 }]
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const { token, depth } = next
      if (!CST.isCollection(token)) continue
      if (depth + 1 > MAX_VALUE_DEPTH) return token.offset
      for (const item of token.items) stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 })
    }
  }
  return undefined
}

interface Visit {
  node: unknown
  depth: number
  // Where the document says it: the outermost alias being followed, else the node itself.
  at?: Node
}

// The node to report for the first collection deeper than MAX_VALUE_DEPTH once aliases are followed, or
// undefined. Iterative; each anchor is walked again only from a deeper start, so a cycle ends too.
export function aliasTooDeep(doc: Document.Parsed): Node | undefined {
  const stack: Visit[] = [{ node: doc.contents, depth: 0 }]
  const walkedFrom = new Map<Node, number>()
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node, depth, at } = visit
    if (isAlias(node)) {
      const target = node.resolve(doc)
      if (target === undefined || (walkedFrom.get(target) ?? -1) >= depth) continue
      walkedFrom.set(target, depth)
      stack.push({ node: target, depth, at: at ?? node })
      continue
    }
    if (!isCollection(node)) continue
    if (depth + 1 > MAX_VALUE_DEPTH) return at ?? node
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.key, depth: depth + 1, at }, { node: item.value, depth: depth + 1, at })
      else stack.push({ node: item, depth: depth + 1, at })
    }
  }
  return undefined
}
