// What authctl needs to reach and configure one host: Ansible's connection variables (with their
// ansible_ssh_* aliases) plus the typed authctl variables.
import { homedir } from 'node:os'
import { readAuthctlVars, VarReader, type AuthctlVars } from './authctl-vars.js'
import type { MergedVars } from './host-vars.js'
import { showValue, type VarRecord } from './value.js'

// One selected host, ready for the SSH layer and the plays.
export interface HostConfig {
  name: string
  address: string
  port: number
  user?: string
  privateKeyFile?: string
  sshCommonArgs?: string
  sshExtraArgs?: string
  // ansible_connection: 'ssh' unless the inventory says otherwise (e.g. 'local' for the bastion).
  connection: string
  vars: AuthctlVars
  raw: VarRecord
}

// A connection variable under its canonical name or its alias; both set differently is an error.
function aliased(reader: VarReader, name: string, alias: string): string | undefined {
  const a = reader.string(name)
  const b = reader.string(alias)
  if (a !== undefined && b !== undefined && a !== b) reader.fail(alias, `conflicts with ${name}=${JSON.stringify(a)}`)
  return a ?? b
}

function port(reader: VarReader): number {
  for (const key of ['ansible_port', 'ansible_ssh_port']) {
    if (!Object.hasOwn(reader.vars, key)) continue
    const v = reader.vars[key]
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v.trim()) ? Number(v) : Number.NaN
    if (!Number.isInteger(n) || n < 1 || n > 65535) reader.fail(key, `must be a port number 1-65535, got ${showValue(v)}`)
    return n
  }
  return 22
}

// os.path.expanduser for `~` and `~/…` (other users' `~name` are left alone).
function expandUser(path: string, env: NodeJS.ProcessEnv): string {
  if (path !== '~' && !path.startsWith('~/')) return path
  return (env.HOME || homedir()) + path.slice(1)
}

// Whatever Ansible would stringify: numbers and booleans in ssh args become text.
function text(reader: VarReader, key: string): string | undefined {
  const v = reader.vars[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  return reader.fail(key, 'must be a string of ssh options')
}

// Build the HostConfig of one host from its merged vars.
export function toHostConfig(name: string, merged: MergedVars, env: NodeJS.ProcessEnv): HostConfig {
  const reader = new VarReader(merged.vars, (k) => merged.sources[k], name)
  const key = aliased(reader, 'ansible_ssh_private_key_file', 'ansible_private_key_file')
  return {
    name,
    address: aliased(reader, 'ansible_host', 'ansible_ssh_host') ?? name,
    port: port(reader),
    user: aliased(reader, 'ansible_user', 'ansible_ssh_user'),
    privateKeyFile: key === undefined ? undefined : expandUser(key, env),
    sshCommonArgs: text(reader, 'ansible_ssh_common_args'),
    sshExtraArgs: text(reader, 'ansible_ssh_extra_args'),
    connection: reader.string('ansible_connection') ?? 'ssh',
    vars: readAuthctlVars(reader, env),
    raw: merged.vars,
  }
}
