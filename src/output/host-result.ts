// The per-host outcome of a play: what the recap prints and what --json returns.
import type { FileAction } from '../steps/plan.js'

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped'

export interface HostResult {
  host: string
  status: HostStatus
  files: { path: string; action: FileAction }[]
  restarted: string[]
  healthy: boolean | null
  secretId?: { action: 'keep' | 'mint' | 'would-mint'; accessor?: string; reason?: string; destroyedAccessor?: string }
  durationMs: number
  diff?: string
  error?: { message: string; hint?: string; exitCode: number }
}

// A fresh result for a host, filled in as the play goes.
export function newHostResult(host: string): HostResult {
  return { host, status: 'ok', files: [], restarted: [], healthy: null, durationMs: 0 }
}
