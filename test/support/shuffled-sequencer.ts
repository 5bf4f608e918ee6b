// The order vitest starts test files in: shuffled by a seed, so no file can lean on another having run
// first; only the slowest files (as vitest's own sequencer ranks them: last run's durations, else size)
// are started first, so the long integration files pack across the workers instead of ending the run.
// The seed is printed; AUTHCTL_TEST_SEED=<seed> replays an order.
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { Rng } from '../fuzz/prng.js'

// How many of the costliest files start first (the two rotation beds, ~100 s each on 2 cores).
const LONG_FIRST = 2

export const TEST_SEED = Number.parseInt(process.env.AUTHCTL_TEST_SEED ?? '', 10) || Date.now() % 2 ** 31

// Fisher-Yates with the seeded PRNG.
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = new Rng(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

export class ShuffledSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const long = new Set((await super.sort(files)).slice(0, LONG_FIRST))
    const order = shuffled(files, TEST_SEED)
    console.log(`test files shuffled with seed ${TEST_SEED} (replay: AUTHCTL_TEST_SEED=${TEST_SEED})`)
    return [...order.filter((f) => long.has(f)), ...order.filter((f) => !long.has(f))]
  }
}
