// Shared helpers of the Vault client tests: a config for the test server, a failure catcher that also
// checks that no planted secret reached the error, and a time limit for calls that might hang.
import { expect } from 'vitest'
import { VaultError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'
import type { VaultConfig } from '../../../src/vault/config.js'

// A test-server configuration with short retry waits (the vault CLI's 1–1.5 s would slow the suite).
export const testConfig = (addr: string, token: string | null, extra: Partial<VaultConfig> = {}): VaultConfig => ({
  addr,
  token: token ? new Secret(token) : null,
  tokenSource: 'explicit',
  skipVerify: false,
  timeoutMs: 3000,
  retryWait: { minMs: 20, maxMs: 40 },
  ...extra,
})

// The VaultError a call rejects with; fails the test when it resolves, throws something else, or when
// any of `secrets` appears in the message, hint, cause or stack.
export async function failure(p: Promise<unknown>, secrets: readonly string[] = []): Promise<VaultError> {
  const result = await p.then(() => null, (e: unknown) => e)
  expect(result).toBeInstanceOf(VaultError)
  const e = result as VaultError
  const text = `${e.message}\n${e.hint ?? ''}\n${JSON.stringify(e.cause)}\n${String(e.stack)}`
  for (const s of secrets) expect(text).not.toContain(s)
  return e
}

// Resolves with the promise's outcome, or fails the test when it takes longer than `ms` (a hang).
export async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, limit])
  } finally {
    clearTimeout(timer)
  }
}
