// A tiny concurrency limiter: bounds parallel connects (--forks) and the SSH channels open at
// once on one connection (sshd refuses sessions beyond MaxSessions, 10 by default).

// Runs the given tasks with at most `max` in flight; each call resolves with its own task's result.
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

// Creates a limiter allowing `max` (≥ 1) tasks at a time, started in call order.
export function createLimiter(max: number): Limiter {
  const limit = Math.max(1, Math.floor(max))
  let active = 0
  const waiting: Array<() => void> = []
  const release = (): void => {
    active--
    waiting.shift()?.()
  }
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      release()
    }
  }
}
