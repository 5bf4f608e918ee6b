// The tests' one polling loop: `waitUntil` answers whether `ready` came to hold within `timeoutMs`;
// `waitFor` throws naming `what` when it did not.
export async function waitUntil(ready: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!(await ready())) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return true
}

export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 20): Promise<void> {
  if (!(await waitUntil(ready, timeoutMs, intervalMs))) throw new Error(`timed out waiting for ${what}`)
}
