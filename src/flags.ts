// Every shared flag, defined once with its AUTHCTL_* environment twin (--yes has none: see confirmFlags).
import { Flags } from '@oclif/core'
import type { HostSelectionInput } from './wiring/context.js'
import { parseHostShare, type HostShare, type RolloutInput } from './engine/rollout.js'
import { ConfigError } from './errors.js'

// Parses "90s", "5m", "1h", "500ms" or plain seconds into milliseconds.
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (!m) throw new ConfigError(`--${flag}: "${value}" is not a duration`, { hint: 'Use a number with a unit, e.g. 30s, 5m or 1h.' })
  const n = Number(m[1])
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']
  return Math.round(n * unit)
}

// A --since value: a duration before now ("10m", "2h", "7d") or an ISO 8601 time. `docker` is the
// form docker compose logs takes (seconds before now, or the time), so a duration is measured on the host.
export function parseSince(flag: string, value: string, now: Date = new Date()): { time: Date; docker: string } {
  const text = value.trim()
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text)
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text)
    if (Number.isNaN(t)) throw new ConfigError(`--${flag}: "${value}" is not a valid time`, { hint: 'Use an ISO 8601 time such as 2026-03-01T12:00:00Z, or a duration such as 10m, 2h or 7d.' })
    return { time: new Date(t), docker: new Date(t).toISOString() }
  }
  const ms = days ? Math.round(Number(days[1]) * 86_400_000) : parseDuration(flag, text)
  return { time: new Date(now.getTime() - ms), docker: `${Math.ceil(ms / 1000)}s` }
}

export const inventoryFlags = {
  inventory: Flags.string({ char: 'i', summary: 'Inventory file (Ansible INI or YAML).', env: 'AUTHCTL_INVENTORY', default: 'inventory/hosts.ini' }),
  limit: Flags.string({ char: 'l', summary: 'Only these hosts or groups (Ansible --limit syntax).', env: 'AUTHCTL_LIMIT' }),
}

export const connectionFlags = {
  forks: Flags.integer({ char: 'f', summary: 'Hosts worked on in parallel.', env: 'AUTHCTL_FORKS', default: 10, min: 1 }),
  'known-hosts': Flags.string({ summary: 'known_hosts file for every host and jump host (default: UserKnownHostsFile from the ssh config, else ~/.ssh/known_hosts).', env: 'AUTHCTL_KNOWN_HOSTS' }),
  'accept-new-host-keys': Flags.boolean({ summary: 'Trust and append keys of hosts not yet in known_hosts (a changed key is still refused).', env: 'AUTHCTL_ACCEPT_NEW_HOST_KEYS' }),
  'ssh-config': Flags.string({ char: 'F', summary: 'OpenSSH client config to read (default ~/.ssh/config; "none" reads none).', env: 'AUTHCTL_SSH_CONFIG' }),
  'insecure-ignore-host-keys': Flags.boolean({ summary: 'Let StrictHostKeyChecking=no through: accept unknown host keys, with a warning per host (changed keys are still refused).', env: 'AUTHCTL_INSECURE_IGNORE_HOST_KEYS' }),
}

// The one definition of --lock-wait, shared by every command that takes the deploy lock.
const lockWaitFlag = Flags.string({ summary: 'Wait this long for a held deploy lock instead of failing (e.g. 5m).', env: 'AUTHCTL_LOCK_WAIT', default: '0s' })

export const changeFlags = {
  check: Flags.boolean({ summary: 'Show what would change, from the real remote state; change nothing.', env: 'AUTHCTL_CHECK' }),
  diff: Flags.boolean({ summary: 'Show unified diffs of changed files (secret values masked).', env: 'AUTHCTL_DIFF' }),
  'lock-wait': lockWaitFlag,
  'wait-timeout': Flags.string({ summary: 'How long to wait for services to become healthy.', env: 'AUTHCTL_WAIT_TIMEOUT', default: '5m' }),
}

// How a change rolls over hosts whose stack already runs; both counted over the whole run.
export const rolloutFlags = {
  serial: Flags.string({ summary: 'Hosts restarted at a time: a number or a percentage of the selected hosts (e.g. 2 or 25%).', env: 'AUTHCTL_SERIAL', default: '1' }),
  'max-fail': Flags.string({ summary: 'Failed or unreachable hosts tolerated before no further host is touched (a number or a percentage).', env: 'AUTHCTL_MAX_FAIL', default: '0' }),
}

// How long a restart may wait: for each host to come back healthy, and for a held deploy lock.
export const restartWaitFlags = {
  timeout: Flags.string({ summary: 'How long each host may take to become healthy after its restart.', env: 'AUTHCTL_TIMEOUT', default: '2m' }),
  'lock-wait': lockWaitFlag,
}

// --serial, --max-fail and --lock-wait parsed once, as every rolling command's input takes them; `override`
// replaces --serial where the command decides the batch (every host at once).
export function rolloutInput(flags: { serial?: string; 'max-fail': string; 'lock-wait': string }, override?: HostShare): RolloutInput {
  const serial = override ?? (flags.serial === undefined ? undefined : parseHostShare('serial', flags.serial))
  if (serial === undefined) throw new Error('rolloutInput: a command without --serial must give its batch size')
  return {
    serial,
    maxFail: parseHostShare('max-fail', flags['max-fail']),
    lockWaitMs: parseDuration('lock-wait', flags['lock-wait']),
  }
}

// The shared inventory and connection flags as every host-touching play takes them.
export function hostSelection(flags: {
  inventory: string; limit?: string; forks: number; 'known-hosts'?: string; 'accept-new-host-keys'?: boolean; 'ssh-config'?: string; 'insecure-ignore-host-keys'?: boolean
}): HostSelectionInput {
  return {
    inventory: flags.inventory, limit: flags.limit, forks: flags.forks, knownHosts: flags['known-hosts'], acceptNew: flags['accept-new-host-keys'] === true,
    sshConfig: flags['ssh-config'], insecureHostKeys: flags['insecure-ignore-host-keys'] === true,
  }
}

// For commands that can cause an outage or invalidate credentials: confirm without the terminal question
// (required without a terminal). No environment twin: a variable set once in CI must not pre-approve an outage.
export const confirmFlags = {
  yes: Flags.boolean({ char: 'y', summary: 'Go ahead without asking (required when there is no terminal; no environment variable).' }),
}
