// Ctrl-C and SIGTERM. The first aborts gracefully (the host in progress finishes, no other host is
// touched); the second stops waiting for hosts in progress; both still release every lock. Only a
// third exits at once, for an operator who chooses to leave locks behind.
export interface Interrupt {
  // first signal: touch no further host
  signal: AbortSignal
  // second signal: cancel the commands in flight (the release still runs)
  hardSignal: AbortSignal
  dispose(): void
}

export interface InterruptMessages {
  warn(message: string): void
  // the process exit, injectable for tests
  exit?(code: number): void
}

export function trapInterrupts(out: InterruptMessages): Interrupt {
  const graceful = new AbortController()
  const hard = new AbortController()
  let count = 0
  const handler = (name: NodeJS.Signals) => {
    count++
    if (count === 1) {
      out.warn(`${name}: finishing the host in progress, touching no other, then releasing every lock (press again to stop waiting for it)`)
      graceful.abort(new Error(name))
    } else if (count === 2) {
      out.warn(`${name} again: no longer waiting for hosts in progress; releasing every lock now (press a third time to quit without releasing)`)
      hard.abort(new Error(name))
    } else {
      out.warn(`${name} a third time: quitting at once; locks may still be held — check with: authctl lock status`)
      ;(out.exit ?? process.exit)(130)
    }
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: graceful.signal,
    hardSignal: hard.signal,
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
