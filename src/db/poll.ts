// Polls until a condition holds, bounded in time, stoppable by an AbortSignal, reporting each look.
import { setTimeout as sleep } from 'node:timers/promises'
import { InterruptedError } from '../errors.js'

// How long to poll and how often, and what stops it early.
export interface PollOptions {
  timeoutMs: number
  intervalMs: number
  signal?: AbortSignal
}

// Calls `look` until it returns a value (done) or the bound passes (then `timedOut` is thrown).
export async function pollUntil<T>(look: (elapsedMs: number) => Promise<T | undefined>, options: PollOptions, timedOut: (elapsedMs: number) => Error): Promise<T> {
  const started = Date.now()
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError('interrupted while waiting')
    const elapsed = Date.now() - started
    const done = await look(elapsed)
    if (done !== undefined) return done
    const left = options.timeoutMs - (Date.now() - started)
    if (left <= 0) throw timedOut(Date.now() - started)
    try {
      await sleep(Math.min(options.intervalMs, left), undefined, { signal: options.signal })
    } catch {
      throw new InterruptedError('interrupted while waiting')
    }
  }
}
