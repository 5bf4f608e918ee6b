// The result of one remote command, as the transport returns it (kept here so builders and
// parsers do not depend on the transport layer): output untrimmed, code null when killed by a signal.
export interface ExecResult {
  stdout: string
  stderr: string
  code: number | null
  signal?: string | null
}

// Per-command options: stdin is how content and secrets travel, never the command line.
export interface ExecOptions {
  stdin?: string | Buffer
  // Bounded time for the whole command (the transport applies a default when absent).
  timeoutMs?: number
  // Cancels the command: the channel gets EOF and is closed, and exec rejects with InterruptedError.
  signal?: AbortSignal
  // Streams output line by line as it arrives (for `logs -f`); streamed output is not kept in the result.
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void
  // Keeps stdin open until the command ends or is cancelled, so a remote wrapper can stop on EOF.
  holdStdin?: boolean
  // Most bytes of stdout + stderr kept; a command that sends more fails (a hostile or broken host).
  maxOutputBytes?: number
}

// Defaults every remote command gets unless it asks otherwise.
export const EXEC_DEFAULTS = { timeoutMs: 120_000, maxOutputBytes: 16 * 1024 * 1024 } as const
