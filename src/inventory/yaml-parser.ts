// Ansible's YAML inventory format (plugins/inventory/yaml.py): groups with hosts/vars/children. Walks the
// YAML node tree so every error names path:line; keys Ansible only warns about are errors here.
import { isMap, isScalar, type Document, type Node, type Pair } from 'yaml'
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
  const viaAlias = aliasTooDeep(doc)
  if (viaAlias) throw tooDeepError(`${path}:${lineOf(text, viaAlias.range?.[0] ?? 0)}`)
  return doc
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
    return node.items.map((p: Pair) => ({ key: p.key, value: p.value }))
  }

  group(keyNode: unknown, node: unknown): string {
    const name = String(this.js(keyNode))
    const isNull = node === null || node === undefined || (isScalar(node) && node.value === null)
    if (!isNull && !isMap(node)) this.fail(keyNode, `Group "${name}" is not a valid group definition: expected a mapping of hosts, vars and children`)
    this.data.addGroup(name)
    if (isNull || !isMap(node)) return name
    for (const pair of node.items) {
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
  for (const pair of root.items) parser.group(pair.key, pair.value)
}
