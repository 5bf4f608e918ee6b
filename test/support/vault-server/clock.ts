// A controllable clock: real time plus an offset, so tests can expire TTLs without waiting.

// The clock every TTL and timestamp of the test server is computed from.
export interface TestClock {
  now(): number
  advance(ms: number): void
}

// Starts at the wall clock; advance() jumps forward (never backwards) for TTL tests.
export function createClock(): TestClock {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`clock.advance needs a non-negative number, got ${ms}`)
      offset += ms
    },
  }
}

// Vault prints times as RFC 3339; we keep millisecond precision.
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString()
}
