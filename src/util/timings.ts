// Where a run's time goes, in whole milliseconds per phase, as `--json` reports it (`timings` at the top
// level for the run's wall-clock spans, and per host). Phases that overlap say so where they are named.
export type Timings = Record<string, number>

// Runs fn and adds its wall time to t[phase] (a phase run twice on a host, such as a retried read, adds up).
export async function timed<T>(t: Timings, phase: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now()
  try {
    return await fn()
  } finally {
    t[phase] = (t[phase] ?? 0) + Math.round(performance.now() - start)
  }
}
