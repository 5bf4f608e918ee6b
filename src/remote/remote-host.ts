// The port through which plays and steps run commands on a host. The SSH transport implements it;
// tests may record. Argv is joined and quoted by the transport, stdin carries any secret.
import type { ExecOptions, ExecResult } from './exec-result.js'

export interface RemoteHost {
  readonly name: string
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>
}
