import { describe, expect, it } from 'vitest'
import type { DbEndpoint } from '../../../src/db/db-types.js'
import { verifyLogin } from '../../../src/db/login-check.js'
import { InterruptedError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

describe('an interrupted connect', () => {
  it('stops a connection whose route never opens, at once', async () => {
    const endpoint: DbEndpoint = { host: 'db.internal', port: 5432, database: 'authentik', sslMode: 'disable', via: { name: 'hang', open: () => new Promise(() => undefined) } }
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    const error = await verifyLogin(endpoint, { user: 'u', password: new Secret('p') }, controller.signal).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('a route that never opens is bounded by the connect timeout', async () => {
    const endpoint: DbEndpoint = { host: 'db.internal', port: 5432, database: 'authentik', sslMode: 'disable', connectTimeoutMs: 300, via: { name: 'hang', open: () => new Promise(() => undefined) } }
    const error = await verifyLogin(endpoint, { user: 'u', password: new Secret('p') }).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(/cannot log in as u@db.internal:5432\/authentik via hang: .*timeout/i) })
  })
})
