// The one entry point for inventories: parse the sources, load group_vars/host_vars, and answer the
// questions commands ask (ansible-inventory views, host selection with --limit, typed host configs).
import { ConfigError } from '../errors.js'
import { toGraph, toListJson, type AnsibleListJson } from './ansible-json.js'
import { toHostConfig, type HostConfig, type Warn } from './host-config.js'
import { mergeGroupVars, mergeHostVars, type MergedVars, type VarsFileIndex } from './host-vars.js'
import { selectHostNames } from './limit.js'
import { InventoryData } from './model.js'
import { parseSource } from './sources.js'
import type { VarRecord } from './value.js'
import { loadEntityVars, type VarsFile } from './vars-files.js'

// Options of loadInventory: a default --limit for selectHosts, the environment (VAULT_ADDR, HOME, the env
// lookups) and where selectHosts' warnings go (default: stderr, as the ssh plan's warnings).
export interface LoadInventoryOptions {
  limit?: string
  env?: NodeJS.ProcessEnv
  warn?: Warn
}

// A loaded inventory: the raw model plus merged views.
export interface Inventory {
  readonly path: string
  readonly data: InventoryData
  readonly files: VarsFileIndex
  hostNames(): string[]
  groupNames(): string[]
  hostVars(host: string): MergedVars
  groupVars(group: string): VarRecord
  matchHosts(limit?: string): string[]
  // The selected hosts' configs: only here are authctl's typed variables validated and Jinja evaluated.
  selectHosts(limit?: string): HostConfig[]
  toListJson(opts?: { export?: boolean; limit?: string }): AnsibleListJson
  hostJson(pattern: string): VarRecord
  graph(group?: string): string
}

// Load an inventory path (INI/YAML file, directory, or "h1,h2," host list) as ansible-inventory reads it.
export async function loadInventory(path: string, opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const env = opts.env ?? process.env
  const warn = opts.warn ?? ((message: string) => void process.stderr.write(`Warning: ${message}\n`))
  const data = new InventoryData()
  const baseDir = await parseSource(path, data)
  data.reconcile()
  const files: VarsFileIndex = { group: new Map(), host: new Map() }
  if (baseDir !== undefined) {
    const cache = new Map<string, VarsFile[]>()
    for (const g of data.groups.keys()) files.group.set(g, await loadEntityVars(baseDir, 'group_vars', g, cache))
    for (const h of data.hosts.keys()) files.host.set(h, await loadEntityVars(baseDir, 'host_vars', h, cache))
  }
  const hostVars = (host: string): MergedVars => mergeHostVars(data, files, host)
  const matchHosts = (limit?: string): string[] => selectHostNames(data, limit ?? opts.limit ?? 'all')
  const inventory: Inventory = {
    path,
    data,
    files,
    hostNames: () => data.groupHosts('all'),
    groupNames: () => [...data.groups.keys()],
    hostVars,
    groupVars: (group) => mergeGroupVars(data, files, group),
    matchHosts,
    selectHosts: (limit) => matchHosts(limit).map((h) => toHostConfig(h, hostVars(h), env, warn)),
    toListJson: (o = {}) =>
      toListJson(
        data,
        (h) => (o.export ? hostOwnVars(data, files, h) : hostVars(h).vars),
        o.export ? (g) => mergeGroupVars(data, files, g) : undefined,
        o.limit === undefined ? undefined : new Set(matchHosts(o.limit)),
      ),
    hostJson: (pattern) => {
      const hosts = data.hosts.has(pattern) ? [pattern] : safeMatch(data, pattern)
      if (hosts.length !== 1) throw new ConfigError(`--host ${pattern} must name exactly one host of the inventory`, { hint: 'authctl inventory --graph lists the hosts.' })
      return hostVars(hosts[0] as string).vars
    },
    graph: (group = 'all') => {
      if (!data.groups.has(group)) throw new ConfigError(`Pattern must be valid group name when using --graph: ${group}`, { hint: 'authctl inventory --graph lists the groups.' })
      return toGraph(data, group)
    },
  }
  return inventory
}

function safeMatch(data: InventoryData, pattern: string): string[] {
  try {
    return selectHostNames(data, pattern)
  } catch (error) {
    if (error instanceof ConfigError) return []
    throw error
  }
}

// --export host vars: inline host vars then host_vars files, nothing inherited.
function hostOwnVars(data: InventoryData, files: VarsFileIndex, host: string): VarRecord {
  const vars: VarRecord = { ...data.host(host).vars }
  for (const f of files.host.get(host) ?? []) Object.assign(vars, f.vars)
  return vars
}
