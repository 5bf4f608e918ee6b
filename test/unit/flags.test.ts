// --since for logs and audit: a duration before now (days too) or an ISO 8601 time; anything else is a
// usage error naming the flag (exit 5), raised before any host is contacted.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.js'
import { parseSince, rolloutInput } from '../../src/flags.js'

const NOW = new Date('2026-03-01T12:00:00Z')

describe('parseSince', () => {
  it.each([
    ['10m', '2026-03-01T11:50:00.000Z', '600s'],
    ['2h', '2026-03-01T10:00:00.000Z', '7200s'],
    ['7d', '2026-02-22T12:00:00.000Z', '604800s'],
    ['1.5d', '2026-02-28T00:00:00.000Z', '129600s'],
    ['90', '2026-03-01T11:58:30.000Z', '90s'],
    ['2026-02-01T08:30:00Z', '2026-02-01T08:30:00.000Z', '2026-02-01T08:30:00.000Z'],
    ['2026-02-01', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
  ])('%s', (value, time, docker) => {
    const s = parseSince('since', value, NOW)
    expect([s.time.toISOString(), s.docker]).toEqual([time, docker])
  })

  it.each(['yesterday', '10 minutes', '2026-13-45T00:00:00Z', '-5m'])('refuses %s with the flag named (exit 5)', (value) => {
    let error: unknown
    try {
      parseSince('since', value, NOW)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).exitCode).toBe(5)
    expect((error as ConfigError).message).toMatch(/^--since: "/)
  })
})

describe('rolloutInput', () => {
  const flags = { serial: '25%', 'max-fail': '1', 'lock-wait': '5m' }

  it('parses --serial, --max-fail and --lock-wait once for every rolling command', () => {
    expect(rolloutInput(flags)).toEqual({ serial: { percent: 25 }, maxFail: { count: 1 }, lockWaitMs: 300_000 })
  })

  it('takes the batch size the command decides over --serial (every host at once)', () => {
    expect(rolloutInput(flags, { percent: 100 }).serial).toEqual({ percent: 100 })
    expect(rolloutInput({ 'max-fail': '0', 'lock-wait': '0' }, { percent: 100 })).toEqual({ serial: { percent: 100 }, maxFail: { count: 0 }, lockWaitMs: 0 })
  })

  it('names the flag a bad value came from', () => {
    expect(() => rolloutInput({ ...flags, serial: 'half' })).toThrow(/--serial: "half"/)
    expect(() => rolloutInput({ ...flags, 'max-fail': '101%' })).toThrow(/--max-fail: 101%/)
    expect(() => rolloutInput({ ...flags, 'lock-wait': 'soon' })).toThrow(/--lock-wait: "soon"/)
    expect(() => rolloutInput({ ...flags, 'lock-wait': 'soon' })).toThrow(ConfigError)
  })
})
