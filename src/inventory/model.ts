// The parsed inventory graph, mirroring ansible's InventoryData/Group/Host so output and variable
// merge order match ansible-inventory (groups, children and hosts in creation order).
import { exactInt, putKey, showValue, type InventoryValue, type VarRecord } from './value.js'

// A group as declared in the inventory source(s).
export interface Group {
  name: string
  vars: VarRecord
  varSources: Record<string, string>
  children: string[]
  parents: string[]
  hosts: string[]
  // Python's int: exact at any size (--export prints it)
  priority: number | bigint
}

// A host as declared in the inventory source(s); `groups` are its direct groups.
export interface Host {
  name: string
  vars: VarRecord
  varSources: Record<string, string>
  groups: string[]
}

// Python's int(value) for ansible_group_priority: integers, booleans, floats truncated, digit strings.
function pythonInt(value: InventoryValue): number | bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'bigint') return value
  if (typeof value === 'boolean') return Number(value)
  if (typeof value === 'string' && /^\s*[-+]?\d+(?:_\d+)*\s*$/.test(value)) return exactInt(BigInt(value.trim().replace(/_/g, '')))
  throw new InventoryGraphError(`ansible_group_priority must be an integer, got: ${showValue(value)}`)
}

// <, = or > as -1, 0 or 1, for numbers, bigints and strings alike.
function compare<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0
}

// Thrown for graph errors (loops, unknown names); callers add the file position.
export class InventoryGraphError extends Error {}

// The inventory graph with Ansible's implicit `all` and `ungrouped` groups.
export class InventoryData {
  readonly groups = new Map<string, Group>()
  readonly hosts = new Map<string, Host>()
  // Group → its direct hosts, beside the ordered Group.hosts, so adding 10,000 hosts stays linear.
  readonly #members = new Map<string, Set<string>>()

  constructor() {
    this.addGroup('all')
    this.addGroup('ungrouped')
    this.addChild('all', 'ungrouped')
  }

  addGroup(name: string): Group {
    let group = this.groups.get(name)
    if (!group) {
      group = { name, vars: {}, varSources: {}, children: [], parents: [], hosts: [], priority: 1 }
      this.groups.set(name, group)
    }
    return group
  }

  group(name: string): Group {
    const group = this.groups.get(name)
    if (!group) throw new InventoryGraphError(`${name} is not a known group`)
    return group
  }

  host(name: string): Host {
    const host = this.hosts.get(name)
    if (!host) throw new InventoryGraphError(`${name} is not a known host`)
    return host
  }

  // add_host: create once; later calls only add the membership. A port sets ansible_port only on creation.
  addHost(name: string, groupName?: string, port?: number, source = ''): Host {
    if (name === '') throw new InventoryGraphError('Invalid empty host name provided')
    let host = this.hosts.get(name)
    if (!host) {
      host = { name, vars: {}, varSources: {}, groups: [] }
      this.hosts.set(name, host)
      if (port) this.setHostVar(name, 'ansible_port', port, source)
    }
    if (groupName !== undefined) this.addChild(groupName, name)
    return host
  }

  // add_child: a child group (refusing loops) or a host.
  addChild(parentName: string, child: string): void {
    const parent = this.group(parentName)
    if (this.groups.has(child)) {
      if (parentName === child) throw new InventoryGraphError("can't add group to itself")
      if (parent.children.includes(child)) return
      if (this.ancestors(parentName).has(child)) {
        throw new InventoryGraphError(`Adding group '${child}' as child to '${parentName}' creates a recursive dependency loop.`)
      }
      parent.children.push(child)
      const group = this.group(child)
      if (!group.parents.includes(parentName)) group.parents.push(parentName)
    } else if (this.hosts.has(child)) {
      const host = this.host(child)
      const members = this.#members.get(parentName) ?? new Set<string>()
      this.#members.set(parentName, members)
      if (!members.has(child)) {
        members.add(child)
        parent.hosts.push(child)
      }
      if (!host.groups.includes(parentName)) host.groups.push(parentName)
    } else {
      throw new InventoryGraphError(`${child} is not a known host nor group`)
    }
  }

  // ansible_group_priority is not a variable but reorders groups of equal depth.
  setGroupVar(name: string, key: string, value: InventoryValue, source: string): void {
    const group = this.group(name)
    if (key === 'ansible_group_priority') {
      group.priority = pythonInt(value)
      return
    }
    // set_variable under hash_behaviour=replace (Ansible's default): a mapping replaces a mapping whole
    putKey(group.vars, key, value)
    group.varSources[key] = source
  }

  setHostVar(name: string, key: string, value: InventoryValue, source: string): void {
    const host = this.host(name)
    putKey(host.vars, key, value)
    host.varSources[key] = source
  }

  ancestors(name: string): Set<string> {
    const seen = new Set<string>()
    const todo = [...this.group(name).parents]
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      if (seen.has(next)) continue
      seen.add(next)
      todo.push(...this.group(next).parents)
    }
    return seen
  }

  // Longest path from `all` (Group.depth), the first sort key of variable precedence.
  depth(name: string, memo = new Map<string, number>()): number {
    const known = memo.get(name)
    if (known !== undefined) return known
    const parents = this.group(name).parents
    const d = parents.length === 0 ? 0 : Math.max(...parents.map((p) => this.depth(p, memo) + 1))
    memo.set(name, d)
    return d
  }

  // Every group a host belongs to, directly or through children, in Ansible's precedence order.
  hostGroups(hostName: string): string[] {
    const all = new Set<string>()
    for (const g of this.host(hostName).groups) {
      all.add(g)
      for (const a of this.ancestors(g)) all.add(a)
    }
    return this.sortGroups([...all])
  }

  // sort_groups: by depth, then ansible_group_priority, then name.
  sortGroups(names: string[]): string[] {
    const memo = new Map<string, number>()
    const key = (n: string): [number, number | bigint, string] => [this.depth(n, memo), this.group(n).priority, n]
    return names.sort((a, b) => {
      const [ka, kb] = [key(a), key(b)]
      return ka[0] - kb[0] || compare(ka[1], kb[1]) || compare(ka[2], kb[2])
    })
  }

  // Group.get_hosts: hosts of the group and its descendants, level by level, without duplicates.
  groupHosts(name: string): string[] {
    const out = new Set<string>()
    const seen = new Set<string>([name])
    let level = [name]
    while (level.length > 0) {
      for (const g of level) for (const h of this.group(g).hosts) out.add(h)
      const next: string[] = []
      for (const c of level.flatMap((g) => this.group(g).children)) {
        if (seen.has(c)) continue
        seen.add(c)
        next.push(c)
      }
      level = next
    }
    return [...out]
  }

  // reconcile_inventory: top-level groups join `all`; `ungrouped` keeps only hosts in no other group.
  reconcile(): void {
    for (const group of this.groups.values()) {
      if (group.name !== 'all' && this.ancestors(group.name).size === 0) this.addChild('all', group.name)
    }
    const ungrouped = this.group('ungrouped')
    const leaving = new Set<string>()
    for (const host of this.hosts.values()) {
      const groups = new Set(this.hostGroups(host.name))
      if (groups.has('ungrouped')) {
        if ([...groups].some((g) => g !== 'all' && g !== 'ungrouped')) {
          leaving.add(host.name)
          host.groups = host.groups.filter((g) => g !== 'ungrouped')
        }
      } else if (groups.size === 0 || (groups.size === 1 && groups.has('all'))) {
        this.addChild('ungrouped', host.name)
      }
    }
    if (leaving.size > 0) {
      ungrouped.hosts = ungrouped.hosts.filter((h) => !leaving.has(h))
      for (const h of leaving) this.#members.get('ungrouped')?.delete(h)
    }
  }
}
