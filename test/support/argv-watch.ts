// Samples the command line of every process on the machine (what `ps` shows) while a test runs, so a
// secret that reaches any argv or process title, even briefly, is caught.
import { readdirSync, readFileSync } from 'node:fs'

// A running sampler: how many samples it took and which command lines contained a needle.
export interface ArgvWatch {
  samples(): number
  // Distinct command lines seen (for the test to check that the sampler saw real processes).
  seen(): Set<string>
  stop(): string[]
}

function commandLines(): string[] {
  const lines: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      lines.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '))
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return lines
}

// Starts sampling every intervalMs; stop() returns the command lines that contained any needle.
export function watchArgv(needles: readonly string[], intervalMs = 25): ArgvWatch {
  const hits = new Set<string>()
  const seen = new Set<string>()
  let samples = 0
  const sample = (): void => {
    samples++
    for (const line of commandLines()) {
      seen.add(line)
      if (needles.some((n) => line.includes(n))) hits.add(line)
    }
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    samples: () => samples,
    seen: () => seen,
    stop: () => {
      clearInterval(timer)
      sample()
      return [...hits]
    },
  }
}
