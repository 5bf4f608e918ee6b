// The ports and options of the setup play, kept apart so the play reads as the steps it takes.
import type { Reporter } from '../output/reporter.js'
import type { RemoteHost } from '../remote/remote-host.js'
import type { DesiredState } from '../steps/desired.js'
import type { SecretIdVault } from '../steps/secret-id.js'

// One selected inventory host, as far as setup cares.
export interface SetupHost {
  name: string
  root: string
  project: string
  role: string
  // renders the templated files for this host (local, no I/O with the host)
  render(): Promise<DesiredState>
}

// The Vault calls setup makes; the real client implements them, unit tests use a recording fake.
export interface SetupVault extends SecretIdVault {
  preflight(): Promise<void>
  readRoleId(role: string): Promise<string>
}

export interface SetupDeps {
  vault: SetupVault
  // opens one SSH connection per host; an Error value means unreachable
  connect(names: readonly string[]): Promise<Map<string, RemoteHost | Error>>
  reporter: Reporter
  auditLocal(lines: readonly string[]): Promise<void>
  lockDetails: string
  who: string
  now(): Date
  signal: AbortSignal
}

export interface SetupOptions {
  check: boolean
  diff: boolean
  newSecretId: boolean
  serial: number
  forks: number
  lockWaitMs: number
  waitTimeoutS: number
  secretIdMinRemainingMs: number
  commandLine: string
}
