// The rollout's rules as data: how many hosts a batch holds (--serial N or N%) and how many failures
// a run tolerates (--max-fail N or N%), both counted over the whole run, never per batch.
import { ConfigError } from '../errors.js'

// A count of hosts, or a share of the selected hosts.
export type HostShare = { count: number } | { percent: number }

// How a change rolls over the fleet as the user chose it (--forks, --serial, --max-fail, --lock-wait):
// built once from the flags and handed on whole, from the command's input to the engine.
export interface Rollout {
  forks: number
  // hosts per batch of a rolling change (--serial N or N%)
  serial: HostShare
  // failures tolerated over the whole run before no further host is touched (--max-fail)
  maxFail: HostShare
  lockWaitMs: number
}

// The rollout as a command's input carries it: --forks comes with the host selection (it also bounds the
// read-only commands' connections).
export type RolloutInput = Omit<Rollout, 'forks'>

// The rollout fields of a larger options object (so no caller copies them one by one).
export function rolloutOf(o: Rollout): Rollout {
  return { forks: o.forks, serial: o.serial, maxFail: o.maxFail, lockWaitMs: o.lockWaitMs }
}

// Parses "3" or "25%" for the named flag.
export function parseHostShare(flag: string, value: string | number): HostShare {
  const text = String(value).trim()
  const m = /^(\d+)(%?)$/.exec(text)
  if (!m) throw new ConfigError(`--${flag}: "${text}" is not a number of hosts or a percentage`, { hint: `Use a whole number (e.g. --${flag} 2) or a percentage (e.g. --${flag} 25%).` })
  const n = Number(m[1])
  if (m[2] === '%') {
    if (n > 100) throw new ConfigError(`--${flag}: ${text} is more than 100%`, { hint: `Use a percentage from 0% to 100%.` })
    return { percent: n }
  }
  return { count: n }
}

// The hosts in one batch: a percentage rounds down as Ansible's serial does, but never below 1.
export function batchSize(serial: HostShare, total: number): number {
  const n = 'count' in serial ? serial.count : Math.floor((total * serial.percent) / 100)
  return Math.max(1, n)
}

// Whether `failed` failures exceed the limit (0 tolerates none; a percentage is of all selected hosts).
export function overFailLimit(limit: HostShare, failed: number, total: number): boolean {
  const allowed = 'count' in limit ? limit.count : Math.floor((total * limit.percent) / 100)
  return failed > allowed
}

// Splits hosts into consecutive batches of `size`.
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
