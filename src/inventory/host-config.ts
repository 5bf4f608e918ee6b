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

// Where a warning goes (the command prints it on stderr).
export type Warn = (message: string) => void

// Which of a connection option's variables the ssh connection plugin uses: the last one of its `vars`
// list that is set and not null (config/manager.py _loop_entries), so the ansible_ssh_* alias wins.
// Both set to different values is legal in Ansible; authctl follows it and says so.
function connectionVar(reader: VarReader, names: readonly [string, string], warn: Warn): string | undefined {
  const set = names.filter((n) => reader.vars[n] !== undefined && reader.vars[n] !== null)
  const [winner, loser] = [set.at(-1), set.length > 1 ? set[0] : undefined]
  const same = (a: unknown, b: unknown): boolean => String(a) === String(b) && typeof a !== 'object' && typeof b !== 'object'
  if (winner !== undefined && loser !== undefined && !same(reader.vars[winner], reader.vars[loser])) {
    const where = (n: string): string => reader.sourceOf(n) ?? 'the inventory'
    warn(`host ${reader.host}: ${winner}=${showValue(reader.vars[winner])} (${where(winner)}) wins over ${loser}=${showValue(reader.vars[loser])} (${where(loser)}), as in Ansible's ssh connection plugin; remove one of them`)
  }
  return winner
}

function port(reader: VarReader, warn: Warn): number | undefined {
  const key = connectionVar(reader, ['ansible_port', 'ansible_ssh_port'], warn)
  if (key === undefined) return undefined
  const v = reader.vars[key]
  const text = typeof v === 'string' ? reader.string(key)?.trim() : undefined
  const n = typeof v === 'number' ? v : text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 1 || n > 65535) reader.fail(key, `must be a port number 1-65535, got ${text === undefined ? showValue(v) : JSON.stringify(text)}`)
  return n
}

// The winning variable of a connection option, read as a string.
function connectionString(reader: VarReader, names: readonly [string, string], warn: Warn): string | undefined {
  const key = connectionVar(reader, names, warn)
  return key === undefined ? undefined : reader.string(key)
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
  if (typeof v === 'string') return reader.string(key)
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  return reader.fail(key, 'must be a string of ssh options')
}

// Build the HostConfig of one host from its merged vars: connection variables resolved as the ssh
// connection plugin does, typed authctl variables validated (the command uses this host).
export function toHostConfig(name: string, merged: MergedVars, env: NodeJS.ProcessEnv, warn: Warn = () => undefined): HostConfig {
  const reader = new VarReader(merged.vars, (k) => merged.sources[k], name, env)
  const key = connectionString(reader, ['ansible_private_key_file', 'ansible_ssh_private_key_file'], warn)
  return {
    name,
    address: connectionString(reader, ['ansible_host', 'ansible_ssh_host'], warn) ?? name,
    port: port(reader, warn) ?? 22,
    user: connectionString(reader, ['ansible_user', 'ansible_ssh_user'], warn),
    privateKeyFile: key === undefined ? undefined : expandUser(key, env),
    sshCommonArgs: text(reader, 'ansible_ssh_common_args'),
    sshExtraArgs: text(reader, 'ansible_ssh_extra_args'),
    connection: reader.string('ansible_connection') ?? 'ssh',
    vars: readAuthctlVars(reader, env),
    raw: merged.vars,
  }
}
