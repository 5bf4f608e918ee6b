// ansible-inventory's outputs (cli/inventory.py): --list JSON, --host JSON and --graph text, built from
// the same model so `authctl inventory` can be diffed against Ansible.
import type { InventoryData } from './model.js'
import { toJsonText, type InventoryValue, type VarRecord } from './value.js'

// The --list document: group objects plus _meta.hostvars.
export type AnsibleListJson = Record<string, unknown> & { _meta: { hostvars: Record<string, VarRecord> } }

// json_inventory: each group once, only non-empty hosts/children; empty groups omitted but still named by parents.
// With `only` (a --limit selection, as ansible-inventory 2.15+ does) groups list and describe only those hosts.
export function toListJson(data: InventoryData, hostVars: (host: string) => VarRecord, groupVars?: (group: string) => VarRecord, only?: ReadonlySet<string>): AnsibleListJson {
  const out: Record<string, unknown> = {}
  const seen = new Set<string>()
  const format = (name: string): void => {
    const group = data.group(name)
    const entry: Record<string, unknown> = {}
    const hosts = only ? group.hosts.filter((h) => only.has(h)) : group.hosts
    if (name !== 'all' && hosts.length > 0) entry.hosts = [...hosts]
    if (group.children.length > 0) entry.children = [...group.children]
    for (const child of group.children) {
      if (!seen.has(child)) {
        format(child)
        seen.add(child)
      }
    }
    const vars = groupVars?.(name)
    if (vars && Object.keys(vars).length > 0) entry.vars = vars
    if (Object.keys(entry).length > 0) out[name] = entry
  }
  format('all')
  const hostvars: Record<string, VarRecord> = {}
  for (const host of data.groupHosts('all').filter((h) => !only || only.has(h))) {
    const vars = hostVars(host)
    if (Object.keys(vars).length > 0) hostvars[host] = vars
  }
  return { ...out, _meta: { hostvars } }
}

// _graph_group: `@group:` lines with `  |--` indentation; `all` lists no hosts of its own.
export function toGraph(data: InventoryData, start: string): string {
  const lines: string[] = []
  const walk = (name: string, depth: number): void => {
    const indent = (text: string, d: number): string => (d ? '  |'.repeat(d) + '--' + text : text)
    lines.push(indent(`@${name}:`, depth))
    const group = data.group(name)
    for (const child of group.children) walk(child, depth + 1)
    if (name !== 'all') for (const host of group.hosts) lines.push(indent(host, depth + 1))
  }
  walk(start, 0)
  return lines.join('\n')
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) Object.defineProperty(out, key, { value: sortKeys((value as Record<string, unknown>)[key]), enumerable: true })
  return out
}

// json.dumps(sort_keys=True, indent=4, ensure_ascii=False), as ansible-inventory prints.
export function dumpJson(value: unknown): string {
  return toJsonText(sortKeys(value) as InventoryValue, 4)
}
