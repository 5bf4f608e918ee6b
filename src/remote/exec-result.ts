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
  timeoutMs?: number
}
