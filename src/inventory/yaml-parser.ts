// Ansible's YAML inventory format (plugins/inventory/yaml.py): groups with hosts/vars/children. Walks the
// YAML node tree so every error names path:line; keys Ansible only warns about are errors here.
import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node, type Pair } from 'yaml'
import { ConfigError } from '../errors.js'
import { sanitizeRemote } from '../util/sanitize.js'
import { expandHostPattern, HostPatternError } from './host-range.js'
import { tooDeepError } from './limits.js'
import { InventoryData, InventoryGraphError } from './model.js'
import { isMapping, type InventoryValue } from './value.js'
import { aliasTooDeep, sourceTooDeep } from './yaml-depth.js'
import { parseAnsibleYaml } from './yaml-schema.js'

const HINT = 'Fix the YAML inventory: top-level keys are groups, each a mapping of hosts, vars and children.'

// 1-based line of a character offset.
export function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

// lineOf for many offsets of one text: newline offsets found once, then a binary search per offset.
export function lineIndex(text: string): (offset: number) => number {
  const breaks: number[] = []
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i)
  return (offset) => {
    let [lo, hi] = [0, breaks.length]
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((breaks[mid] as number) < offset) lo = mid + 1
      else hi = mid
    }
    return lo + 1
  }
}

// The line of each top-level key of a mapping document (the last one where a key repeats, as its value wins).
export function keyLines(doc: Document.Parsed, lineAt: (offset: number) => number): Record<string, number> {
  const lines: Record<string, number> = {}
  if (!isMap(doc.contents)) return lines
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? pair.key : undefined
    if (key && typeof key.value !== 'symbol' && key.range) Object.defineProperty(lines, String(key.value), { value: lineAt(key.range[0]), enumerable: true, writable: true, configurable: true })
  }
  return lines
}

// Parse YAML text or fail with path:line of the first syntax error, or of nesting past MAX_VALUE_DEPTH.
export function loadYamlDocument(text: string, path: string): Document.Parsed {
  const deepAt = sourceTooDeep(text)
  if (deepAt !== undefined) throw tooDeepError(`${path}:${lineOf(text, deepAt)}`)
  const doc = parseAnsibleYaml(text)
  const error = doc.errors[0]
  if (error) {
    const line = error.linePos?.[0].line ?? lineOf(text, error.pos[0])
    throw new ConfigError(`${path}:${line}: ${sanitizeRemote(error.message.split('\n')[0] ?? '', { maxBytes: 1024 })}`, { hint: 'Fix the YAML syntax at that line.' })
  }
  const reference = referenceProblem(doc)
  if (reference) {
    throw new ConfigError(`${path}:${lineOf(text, reference.node.range?.[0] ?? 0)}: ${sanitizeRemote(reference.message, { maxBytes: 1024 })}`, {
      hint: 'Define each anchor (&name) before its aliases (*name) in the same file; a merge key (<<) takes a mapping or a list of mappings.',
    })
  }
  const viaAlias = aliasTooDeep(doc)
  if (viaAlias) throw tooDeepError(`${path}:${lineOf(text, viaAlias.range?.[0] ?? 0)}`)
  return doc
}

// The first alias with no anchor of its name before it (PyYAML: "found undefined alias"), or merge key
// whose source is not a mapping, in document order; the yaml package would throw a bare Error for both.
function referenceProblem(doc: Document.Parsed): { node: Node; message: string } | undefined {
  const anchors = new Map<string, Node>()
  let found: { node: Node; message: string } | undefined
  const undefinedAlias = (alias: Alias): { node: Node; message: string } => ({ node: alias, message: `found undefined alias ${JSON.stringify(alias.source)}` })
  const mergeProblem = (source: unknown): { node: Node; message: string } | undefined => {
    const target = isAlias(source) ? anchors.get(source.source) : source
    if (isAlias(source) && target === undefined) return undefinedAlias(source)
    if (isMap(target)) return undefined
    return { node: source as Node, message: 'expected a mapping or list of mappings for merging (<<), but found ' + (isSeq(target) ? 'a list' : 'a scalar') }
  }
  visit(doc, {
    Pair: (_key, pair) => {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') return undefined
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
      found = sources.map(mergeProblem).find((p) => p !== undefined)
      return found ? visit.BREAK : undefined
    },
    Node: (_key, node) => {
      if (isAlias(node) && !anchors.has(node.source)) {
        found = undefinedAlias(node)
        return visit.BREAK
      }
      if (!isAlias(node) && node.anchor) anchors.set(node.anchor, node)
      return undefined
    },
  })
  return found
}

class YamlInventoryParser {
  constructor(
    readonly text: string,
    readonly path: string,
    readonly doc: Document.Parsed,
    readonly data: InventoryData,
  ) {}

  where(node: Node | null | undefined | unknown): string {
    const range = (node as { range?: [number, number, number] } | null)?.range
    return `${this.path}:${range ? lineOf(this.text, range[0]) : 1}`
  }

  fail(node: unknown, message: string): never {
    throw new ConfigError(`${this.where(node)}: ${sanitizeRemote(message, { maxBytes: 1024 })}`, { hint: HINT })
  }

  js(node: unknown): InventoryValue {
    return (node as Node | null)?.toJS(this.doc, { maxAliasCount: 1000 }) as InventoryValue ?? null
  }

  guard(node: unknown, fn: () => void): void {
    try {
      fn()
    } catch (error) {
      if (error instanceof InventoryGraphError || error instanceof HostPatternError) this.fail(node, error.message)
      throw error
    }
  }

  // Entries of a hosts/vars/children section: a mapping, or a bare string meaning {string: null}.
  section(node: unknown, section: string, group: string): Array<{ key: unknown; value: unknown }> {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return []
    if (isScalar(node) && typeof node.value === 'string') return [{ key: node, value: null }]
    if (!isMap(node)) this.fail(node, `Invalid "${section}" entry for "${group}" group, requires a dictionary, found "${typeof this.js(node)}" instead.`)
    return this.pairs(node.items).map((p: Pair) => ({ key: p.key, value: p.value }))
  }

  // A mapping's pairs as PyYAML builds the dict: a repeated key keeps its first place and its last value.
  pairs(items: Pair[]): Pair[] {
    const byKey = new Map<string, Pair>()
    for (const pair of items) byKey.set(String(this.js(pair.key)), pair)
    return [...byKey.values()]
  }

  group(keyNode: unknown, node: unknown): string {
    const name = String(this.js(keyNode))
    const isNull = node === null || node === undefined || (isScalar(node) && node.value === null)
    if (!isNull && !isMap(node)) this.fail(keyNode, `Group "${name}" is not a valid group definition: expected a mapping of hosts, vars and children`)
    this.data.addGroup(name)
    if (isNull || !isMap(node)) return name
    for (const pair of this.pairs(node.items)) {
      const key = String(this.js(pair.key))
      if (!['vars', 'children', 'hosts'].includes(key)) {
        this.fail(pair.key, `Unexpected key (${key}) in group (${name}), only "vars", "children" and "hosts" are valid`)
      }
      for (const { key: k, value } of this.section(pair.value, key, name)) {
        if (key === 'vars') this.guard(k, () => this.data.setGroupVar(name, String(this.js(k)), this.js(value), this.where(k)))
        else if (key === 'children') {
          const child = this.group(k, value)
          this.guard(k, () => this.data.addChild(name, child))
        } else this.host(k, value, name)
      }
    }
    return name
  }

  host(keyNode: unknown, node: unknown, group: string): void {
    const pattern = isScalar(keyNode) ? keyNode.value : undefined
    if (typeof pattern !== 'string') this.fail(keyNode, `Host pattern ${String(this.js(keyNode))} must be a string. Enclose integers/floats in quotation marks.`)
    const value = this.js(node)
    const vars = value === null || value === '' ? {} : value
    if (!isMapping(vars)) this.fail(keyNode, `Invalid data for host ${pattern}, expected a mapping of variables`)
    this.guard(keyNode, () => {
      const { hosts, port } = expandHostPattern(pattern)
      for (const host of hosts) {
        this.data.addHost(host, group, port, this.where(keyNode))
        for (const [k, v] of Object.entries(vars)) this.data.setHostVar(host, k, v, this.where(keyNode))
      }
    })
  }
}

// Parse one YAML inventory source into `data`.
export function parseYamlInventory(text: string, path: string, data: InventoryData): void {
  const doc = loadYamlDocument(text, path)
  const root = doc.contents
  if (root === null || (isScalar(root) && (root.value === null || root.value === '')) || (isMap(root) && root.items.length === 0)) throw new ConfigError(`${path}:1: Parsed empty YAML file`, { hint: HINT })
  if (!isMap(root)) throw new ConfigError(`${path}:1: YAML inventory has invalid structure, it should be a dictionary`, { hint: HINT })
  const parser = new YamlInventoryParser(text, path, doc, data)
  if (root.items.some((p) => parser.js(p.key) === 'plugin')) parser.fail(root, 'Plugin configuration YAML file, not YAML inventory (authctl reads static inventories only)')
  for (const pair of parser.pairs(root.items)) parser.group(pair.key, pair.value)
}
