// The result of one remote command, as the transport returns it (kept here so builders and
// parsers do not depend on the transport layer).
export interface ExecResult {
  stdout: string
  stderr: string
  code: number | null
  signal?: string | null
}
