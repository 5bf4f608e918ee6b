// The order vitest starts test files in. One seed shuffles it, and the tests inside each file too
// (vitest.config.ts), so no file or describe can lean on another having run first; the seed is printed, and
// AUTHCTL_TEST_SEED=<seed> replays both orders. Only the bed a file starts decides its rank: the files that
// start a rotation bed (3 sshd hosts, Vault, PostgreSQL, RDS and a setup: the costliest) go first, then the
// files that start sshd hosts, then the rest, each rank in shuffled order, so the long files pack across the
// workers instead of ending the run. Ranked by the source, not by vitest's cached durations: CI runs from a
// fresh clone, where vitest would rank by file size.
import { readFileSync } from 'node:fs'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { Rng } from '../fuzz/prng.js'

const RANKS = [/\buse(FaultMatrix|Rotations)Bed\(|\bstartRotationBed\(/, /\bstartTestbed\(/]

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

// 0 for a file that starts a rotation bed, 1 for sshd hosts, 2 for the rest.
export function bedRank(source: string): number {
  const rank = RANKS.findIndex((re) => re.test(source))
  return rank === -1 ? RANKS.length : rank
}

export class ShuffledSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    console.log(`test files and tests shuffled with seed ${TEST_SEED} (replay: AUTHCTL_TEST_SEED=${TEST_SEED})`)
    const ranked = shuffled(files, TEST_SEED).map((f) => ({ f, rank: bedRank(readFileSync(f.moduleId, 'utf8')) }))
    // a stable sort: each rank keeps its shuffled order
    return ranked.sort((a, b) => a.rank - b.rank).map(({ f }) => f)
  }
}
