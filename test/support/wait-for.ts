// The tests' one polling loop: waits until `ready` holds, or throws naming `what` once `timeoutMs` has passed.
export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
