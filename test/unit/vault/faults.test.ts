// Vault faults the client must survive (issue 12 §3/§6): a slow-drip body, a huge body, a 429 storm,
// 5xx and connection resets — with retries only where resending cannot apply a change twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../../src/util/secret.js'
import { createVaultClient, type VaultClient } from '../../../src/vault/client.js'
import type { VaultConfig } from '../../../src/vault/config.js'
import { startVaultServer, type VaultTestServer } from '../../support/vault-server/index.js'
import { seedRunbook } from '../../support/vault-server/seed.js'
import { waitFor } from '../../support/wait-for.js'
import { failure, testConfig, within } from './support.js'

let server: VaultTestServer
let vault: VaultClient
let operatorToken: string
let sentinels: string[]
const LOOKUP = 'auth/token/lookup-self'
const SECRET_ID = 'auth/approle/role/authentik/secret-id'

const client = (extra: Partial<VaultConfig> = {}) => createVaultClient(testConfig(server.addr, operatorToken, extra))
const sent = (path: string, method?: string) => server.requests.filter((r) => r.path.split('?')[0] === `/v1/${path}` && (!method || r.method === method)).length

beforeAll(async () => {
  server = await startVaultServer()
  ;({ operatorToken } = await seedRunbook(server.addr, server.rootToken, { secrets: { pg_password: 'kv-sentinel-3141' } }))
  vault = client()
  sentinels = [operatorToken, server.rootToken, 'kv-sentinel-3141']
})
afterAll(() => server.close())

describe('VAULT_CLIENT_TIMEOUT is one deadline for the whole request', () => {
  it('gives up on a slow-drip body that keeps the socket busy', async () => {
    server.faults.slowDrip(LOOKUP, { intervalMs: 20 })
    const t0 = Date.now()
    const e = await within(5000, failure(client({ timeoutMs: 400 }).lookupSelf(), sentinels))
    const elapsed = Date.now() - t0
    expect(e.message).toBe(`Vault at ${server.addr} did not answer GET ${LOOKUP} in time (VAULT_CLIENT_TIMEOUT 0.4 s)`)
    expect(e.hint).toContain('VAULT_CLIENT_TIMEOUT')
    expect(elapsed).toBeGreaterThanOrEqual(380)
    expect(elapsed).toBeLessThan(1500)
    const drip = server.faults.streams.at(-1)!
    expect(drip.bytesWritten).toBeGreaterThan(5)
    await waitFor(() => drip.closedAt !== null, 'the drip to be closed', 2000, 10)
    expect(drip.clientHungUp).toBe(true)
  })

  it('counts retries and their waits against the same deadline', async () => {
    server.faults.delay(LOOKUP, 250, { count: 10 })
    server.faults.failNext(LOOKUP, { status: 502, count: 10 })
    const before = sent(LOOKUP)
    const t0 = Date.now()
    await within(5000, failure(client({ timeoutMs: 600, maxRetries: 5 }).lookupSelf(), sentinels))
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(sent(LOOKUP) - before).toBeGreaterThanOrEqual(2)
    // an attempt written just before the deadline can reach the server (same event loop) after the next
    // test set its fault, and take it: wait until no attempt has arrived for longer than the fault's delay
    for (let seen = -1; seen !== sent(LOOKUP);) {
      seen = sent(LOOKUP)
      await new Promise((r) => setTimeout(r, 400))
    }
    server.faults.clear()
  })
})

describe('response size cap', () => {
  it('refuses a body whose declared length is over the cap, without reading it', async () => {
    const before = sent(LOOKUP)
    server.faults.hugeBody(LOOKUP, { bytes: 64 * 1024 * 1024, declareLength: true })
    const e = await within(5000, failure(vault.lookupSelf(), sentinels))
    expect(e.message).toBe(`Vault at ${server.addr} sent more than 8 MiB for GET ${LOOKUP}; authctl stopped reading`)
    expect(e.hint).toContain('VAULT_ADDR')
    expect(server.faults.streams.at(-1)!.bytesWritten).toBeLessThan(64 * 1024 * 1024)
    expect(sent(LOOKUP) - before).toBe(1)
  })

  it('stops reading an endless body at the cap instead of buffering it', async () => {
    server.faults.hugeBody(LOOKUP, { bytes: Infinity })
    const e = await within(10_000, failure(client({ maxResponseBytes: 1024 * 1024 }).lookupSelf(), sentinels))
    expect(e.message).toContain('sent more than 1 MiB')
    const stream = server.faults.streams.at(-1)!
    await waitFor(() => stream.closedAt !== null, 'the endless body to be closed', 2000, 10)
    expect(stream.clientHungUp).toBe(true)
    expect(stream.bytesWritten).toBeLessThan(16 * 1024 * 1024)
  })
})

describe('retries with jittered backoff (VAULT_MAX_RETRIES, default 2)', () => {
  it('retries a read on 412, 5xx and a reset connection, then succeeds', async () => {
    const before = sent(LOOKUP)
    server.faults.failNext(LOOKUP, { status: 412 })
    server.faults.failNext(LOOKUP, { status: 502 })
    expect((await vault.lookupSelf()).policies).toContain('authctl-operator')
    server.faults.dropNext(LOOKUP)
    server.faults.failNext(LOOKUP, { status: 500 })
    expect((await vault.lookupSelf()).policies).toContain('authctl-operator')
    expect(sent(LOOKUP) - before).toBe(6)
  })

  it('gives up after three attempts and says so; 501 is never retried; VAULT_MAX_RETRIES=0 disables', async () => {
    let before = sent(LOOKUP)
    server.faults.failNext(LOOKUP, { status: 500, count: 5, body: { errors: ['internal error'] } })
    const e = await failure(vault.lookupSelf(), sentinels)
    expect(e.message).toBe(`Vault GET ${LOOKUP} failed (500) after 3 attempts: internal error`)
    expect(sent(LOOKUP) - before).toBe(3)
    server.faults.clear()
    before = sent(LOOKUP)
    server.faults.failNext(LOOKUP, { status: 501 })
    await failure(vault.lookupSelf(), sentinels)
    expect(sent(LOOKUP) - before).toBe(1)
    before = sent(LOOKUP)
    server.faults.failNext(LOOKUP, { status: 503 })
    await failure(client({ maxRetries: 0 }).lookupSelf(), sentinels)
    expect(sent(LOOKUP) - before).toBe(1)
  })

  it('does not resend a secret-id create after a 502 or a reset: it may have minted one', async () => {
    const before = sent(SECRET_ID, 'POST')
    server.faults.failNext(SECRET_ID, { status: 502, method: 'POST' })
    const e = await failure(vault.createSecretId('authentik', { metadata: {} }), sentinels)
    expect(e.hint).toContain('did not resend')
    server.faults.dropNext(SECRET_ID, { method: 'POST' })
    const reset = await failure(vault.createSecretId('authentik', { metadata: {} }), sentinels)
    expect(reset.hint).toContain('did not resend')
    expect(sent(SECRET_ID, 'POST') - before).toBe(2)
  })

  it('resends a secret-id create that Vault refused unprocessed (429, sealed), minting exactly one', async () => {
    const accessors = (await vault.listSecretIdAccessors('authentik')).length
    const before = sent(SECRET_ID, 'POST')
    server.faults.rateLimit(SECRET_ID, { method: 'POST' })
    server.faults.failNext(SECRET_ID, { status: 503, method: 'POST', body: { errors: ['Vault is sealed'] } })
    const issued = await vault.createSecretId('authentik', { metadata: { host: 'retry' } })
    expect(issued.secretId).toBeInstanceOf(Secret)
    expect(sent(SECRET_ID, 'POST') - before).toBe(3)
    expect((await vault.listSecretIdAccessors('authentik')).length).toBe(accessors + 1)
  })

  it('does not resend a KV write with cas after an ambiguous failure, and says how to check', async () => {
    const root = createVaultClient(testConfig(server.addr, server.rootToken))
    const path = 'cwiq/shared/authentik/retry-probe'
    const before = sent(`secret/data/${path}`, 'POST')
    server.faults.failNext(`secret/data/${path}`, { status: 504, method: 'POST' })
    const e = await failure(root.kvWrite('secret', path, { v: new Secret('kv-sentinel-3141') }, { cas: 0 }), sentinels)
    expect(e.hint).toContain('did not resend')
    expect(e.hint).toContain(`secret/metadata/${path}`)
    expect(sent(`secret/data/${path}`, 'POST') - before).toBe(1)
    server.faults.rateLimit(`secret/data/${path}`, { method: 'POST' })
    expect((await root.kvWrite('secret', path, { v: 'one' }, { cas: 0 })).version).toBe(1)
  })
})

describe('429 storm', () => {
  it('reports rate limiting clearly after three attempts, honouring Retry-After in between', async () => {
    server.faults.rateLimit('*', { count: Infinity })
    const before = sent(LOOKUP)
    const e = await failure(vault.lookupSelf(), sentinels)
    server.faults.clear()
    expect(e.status).toBe(429)
    expect(e.message).toBe(`Vault at ${server.addr} is rate-limiting requests: GET ${LOOKUP} was refused 3 times (429: request path "${LOOKUP}": rate limit quota exceeded)`)
    expect(e.hint).toContain('rate limit quota')
    expect(sent(LOOKUP) - before).toBe(3)
    server.faults.rateLimit(LOOKUP, { retryAfterS: 1 })
    const t0 = Date.now()
    await vault.lookupSelf()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
  })

  it('does not mistake a rate-limited sys/health for a standby or an uninitialised Vault', async () => {
    server.faults.rateLimit('sys/health', { count: Infinity })
    const e = await failure(vault.preflight(), sentinels)
    server.faults.clear()
    expect(e.message).toContain('is rate-limiting requests')
    expect(e.message).not.toContain('not initialised')
  })
})
