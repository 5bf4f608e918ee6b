// A wait that ends early when the signal aborts (Ctrl-C must not sit out a sleep).
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    const stop = () => {
      clearTimeout(t)
      resolve()
    }
    signal.addEventListener('abort', stop, { once: true })
  })
}
