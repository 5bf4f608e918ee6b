import { describe, expect, it } from 'vitest'
import { createLimiter } from '../../../src/util/limiter.js'

describe('createLimiter', () => {
  it('never runs more than max tasks at once and returns each result', async () => {
    const limit = createLimiter(3)
    let active = 0
    let peak = 0
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit(async () => {
          active++
          peak = Math.max(peak, active)
          await new Promise((r) => setTimeout(r, 5))
          active--
          return i * 2
        }),
      ),
    )
    expect(peak).toBe(3)
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 2))
  })

  it('frees the slot when a task rejects', async () => {
    const limit = createLimiter(1)
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(limit(() => Promise.resolve('next'))).resolves.toBe('next')
  })
})
