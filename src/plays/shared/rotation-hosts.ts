// What both rotations say about the hosts of their transaction: the ones it goes ahead without (--max-fail),
// and why it stopped before any change when more hosts than that could not be locked and read.
import type { EngineResult } from '../../engine/run-play.js'
import { EXIT_CODES } from '../../errors.js'
import type { RestartHostResult } from './rolling-restart.js'

// Plan lines for the hosts the run goes ahead without: they owe the restart, which --resume finishes.
export function owedLines(owed: readonly RestartHostResult[]): string[] {
  return owed.map((h) => `     not restarted now: ${h.host} (${h.status}${h.error ? `: ${h.error.message}` : ''}); it owes the restart, which --resume finishes`)
}

// Why the transaction stopped before its central change, and what to do: each failed host with its reason
// (or the Ctrl-C), then bring back the unreachable ones, wait for or clear the locks another run holds
// (a killed run's lock stays behind), or go ahead without them under --max-fail.
function notStartedError(restarted: EngineResult<RestartHostResult>, o: { command: string; resumed: boolean; step: string; unchanged: string; leftOut: string }): { message: string; hint: string } {
  const bad = restarted.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable')
  const why = bad.map((h) => `${h.host} ${h.status}${h.error ? ` (${h.error.message})` : ''}`).join('; ')
  const head = restarted.interrupted ? 'interrupted before any change' : `${bad.length} of ${restarted.hosts.length} hosts could not be locked and read, more than --max-fail allows: ${why}`
  const locked = bad.filter((h) => h.error?.exitCode === EXIT_CODES.lockHeld).map((h) => h.host)
  const down = bad.filter((h) => !locked.includes(h.host)).map((h) => h.host)
  const again = `authctl ${o.command}${o.resumed ? ' --resume' : ''}`
  const steps = [
    ...(down.length > 0 ? [`bring ${down.join(', ')} back`] : []),
    ...(locked.length > 0 ? [`wait for the lock on ${locked.join(', ')} (--lock-wait 5m) or, if the run holding it is gone (see the recap), clear it: authctl lock release -l ${locked.join(',')} --yes`] : []),
  ]
  const first = steps.length > 0 ? `${steps.join('; ')}; then run ${again}` : `run ${again}`
  return {
    message: `${head}. ${o.resumed ? `Nothing more was changed: the rotation is still unfinished (journal step "${o.step}")` : `Nothing was changed: ${o.unchanged}`}`,
    hint: `${first[0]?.toUpperCase()}${first.slice(1)}. To go ahead without them: ${again} --max-fail ${bad.length} (${o.leftOut}).`,
  }
}

// "host2 (unreachable), host3 (failed)": the hosts still owed the restart, each with how it ended this run.
export function owedWithReasons(owed: readonly string[], hosts: readonly RestartHostResult[]): string {
  return owed.map((name) => {
    const h = hosts.find((x) => x.host === name)
    return h === undefined ? `${name} (not part of this run)` : `${name} (${h.status === 'changed' ? 'restarted' : h.status})`
  }).join(', ')
}

// What both rotations' results share when the transaction stopped before its central change.
interface StoppedResult {
  status: string
  resumed: boolean
  owed: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

// Marks a rotation that stopped before any change: a fresh one is aborted (it wrote nothing), a resumed one
// stays unfinished and still owes what its journal says.
export function markNotStarted(result: StoppedResult, restarted: EngineResult<RestartHostResult>, journal: { step: string; hosts: Record<string, string> }, hosts: readonly string[], words: { command: string; unchanged: string; leftOut: string }): void {
  if (!result.resumed) result.status = 'aborted'
  result.owed = result.resumed ? hosts.filter((h) => journal.hosts[h] !== 'changed') : []
  result.error = notStartedError(restarted, { ...words, resumed: result.resumed, step: journal.step })
  result.exitCode = restarted.exitCode || EXIT_CODES.hostFailed
}
