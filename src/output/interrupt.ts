// Ctrl-C and SIGTERM: the first one aborts the play gracefully (no new host is touched, locks are
// released); a second one exits at once with 130.
export interface Interrupt {
  signal: AbortSignal
  dispose(): void
}

export function trapInterrupts(onFirst: (name: string) => void): Interrupt {
  const controller = new AbortController()
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130)
    onFirst(name)
    controller.abort(new Error(name))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
