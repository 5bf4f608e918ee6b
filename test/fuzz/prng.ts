// A seeded PRNG (mulberry32) and the pickers the fuzz tests share, so every failure names a seed and
// case number that reproduce it: AUTHCTL_FUZZ_SEED=<seed> npx vitest run test/fuzz.

// The seed of this run: AUTHCTL_FUZZ_SEED when set (to replay a failure), else a fixed one.
export const FUZZ_SEED = Number.parseInt(process.env.AUTHCTL_FUZZ_SEED ?? '20260812', 10)

// Random choices drawn from one seeded stream.
export class Rng {
  #state: number

  constructor(seed: number = FUZZ_SEED) {
    this.#state = seed >>> 0
  }

  // A float in [0, 1).
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  // An integer in [min, max].
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  // A code point anywhere in Unicode except surrogates (JS strings cannot carry them to a process) and NUL.
  codePoint(): number {
    const band = this.int(0, 3)
    const cp = band === 0 ? this.int(1, 0x7f) : band === 1 ? this.int(0x80, 0x7ff) : band === 2 ? this.int(0x800, 0xffff) : this.int(0x10000, 0x10ffff)
    return cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(0, 255))
  }
}
