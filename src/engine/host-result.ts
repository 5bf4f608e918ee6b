// The per-host outcome of a play: what the recap prints and what --json returns.
import type { Timings } from '../util/timings.js'
import type { FileAction } from '../steps/plan.js'

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped'

// What every play reports per host; warnings are kept here so --json carries every one of them.
export interface HostOutcome {
  host: string
  status: HostStatus
  durationMs: number
  warnings: string[]
  // milliseconds this host spent per phase (read, prepare, apply, release, and the play's own steps)
  timings: Timings
  error?: { message: string; hint?: string; exitCode: number }
}

// The setup play's per-host result.
export interface HostResult extends HostOutcome {
  files: { path: string; action: FileAction }[]
  restarted: string[]
  healthy: boolean | null
  // destroyed: replaced secret-ids destroyed by this run; destroyFailed: one still owed (a warning says so)
  secretId?: { action: 'keep' | 'mint' | 'would-mint'; accessor?: string; reason?: string; destroyed?: string[]; destroyFailed?: string }
  diff?: string
}

// A fresh outcome for a host, as every play starts it.
export function newOutcome(host: string): HostOutcome {
  return { host, status: 'ok', durationMs: 0, warnings: [], timings: {} }
}

// A fresh setup result for a host, filled in as the play goes.
export function newHostResult(host: string): HostResult {
  return { ...newOutcome(host), files: [], restarted: [], healthy: null }
}
