// What both rotations say about the hosts of their transaction: the ones it goes ahead without (--max-fail),
// and why it stopped before any change when more hosts than that could not be locked and read.
import type { EngineResult } from '../../engine/run-play.js'
import type { RestartHostResult } from './rolling-restart.js'

// Plan lines for the hosts the run goes ahead without: they owe the restart, which --resume finishes.
export function owedLines(owed: readonly RestartHostResult[]): string[] {
  return owed.map((h) => `     not restarted now: ${h.host} (${h.status}${h.error ? `: ${h.error.message}` : ''}); it owes the restart, which --resume finishes`)
}

// Why the transaction stopped before its central change: each failed host and its reason, or the Ctrl-C.
export function lockFailure(restarted: EngineResult<RestartHostResult>): { head: string; names: string; count: number } {
  const bad = restarted.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable')
  const why = bad.map((h) => `${h.host} ${h.status}${h.error ? ` (${h.error.message})` : ''}`).join('; ')
  const head = restarted.interrupted ? 'interrupted before any change' : `${bad.length} of ${restarted.hosts.length} hosts could not be locked and read, more than --max-fail allows: ${why}`
  return { head, names: bad.map((h) => h.host).join(',') || 'the hosts', count: bad.length }
}

// "host2 (unreachable), host3 (failed)": the hosts still owed the restart, each with how it ended this run.
export function owedWithReasons(owed: readonly string[], hosts: readonly RestartHostResult[]): string {
  return owed.map((name) => {
    const h = hosts.find((x) => x.host === name)
    return h === undefined ? `${name} (not part of this run)` : `${name} (${h.status === 'changed' ? 'restarted' : h.status})`
  }).join(', ')
}
