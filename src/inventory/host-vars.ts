// The variables a host finally sees, merged in Ansible's precedence order (reference §6), with the place
// each value came from so typed-variable errors can name the file.
import type { InventoryData } from './model.js'
import { putKey, type VarRecord } from './value.js'
import type { VarsFile } from './vars-files.js'

// Vars files already loaded for every group and host (see load-inventory.ts).
export interface VarsFileIndex {
  group: Map<string, VarsFile[]>
  host: Map<string, VarsFile[]>
}

// Merged vars and, per key, the file (or file:line) that set the winning value.
export interface MergedVars {
  vars: VarRecord
  sources: Record<string, string>
}

// inventory group vars (by depth, priority, name) < group_vars/all < group_vars/<group> < inline host vars < host_vars/<host>.
export function mergeHostVars(data: InventoryData, files: VarsFileIndex, hostName: string): MergedVars {
  const vars: VarRecord = {}
  const sources: Record<string, string> = {}
  const layer = (record: VarRecord, sourceOf: (key: string) => string): void => {
    for (const [k, v] of Object.entries(record)) {
      putKey(vars, k, v)
      sources[k] = sourceOf(k)
    }
  }
  const fromFiles = (list: VarsFile[] | undefined): void => {
    for (const f of list ?? []) layer(f.vars, (k) => (Object.hasOwn(f.lines, k) ? `${f.file}:${f.lines[k]}` : f.file))
  }
  const groups = data.hostGroups(hostName)
  for (const g of groups) {
    const group = data.group(g)
    layer(group.vars, (k) => group.varSources[k] ?? '')
  }
  fromFiles(files.group.get('all'))
  for (const g of groups) if (g !== 'all') fromFiles(files.group.get(g))
  const host = data.host(hostName)
  layer(host.vars, (k) => host.varSources[k] ?? '')
  fromFiles(files.host.get(hostName))
  return { vars, sources }
}

// A group's own vars for `--list --export` (cli/inventory.py _get_group_variables): inventory source, then
// its group_vars files, then ansible_group_priority when it is not the default 1.
export function mergeGroupVars(data: InventoryData, files: VarsFileIndex, groupName: string): VarRecord {
  const group = data.group(groupName)
  const vars: VarRecord = { ...group.vars }
  for (const f of files.group.get(groupName) ?? []) for (const [k, v] of Object.entries(f.vars)) putKey(vars, k, v)
  if (group.priority !== 1) putKey(vars, 'ansible_group_priority', group.priority)
  return vars
}
