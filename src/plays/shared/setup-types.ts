// The ports and options of the setup play, kept apart so the play reads as the steps it takes.
import type { Rollout } from '../../engine/rollout.js'
import type { EngineDeps } from '../../engine/play.js'
import type { DesiredState } from '../../render/desired.js'
import type { OrphanVault } from './secret-id-orphans.js'

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
export interface SetupVault extends OrphanVault {
  preflight(): Promise<unknown>
  readRoleId(role: string): Promise<string>
}

// The engine's ports plus Vault.
export interface SetupDeps extends EngineDeps {
  vault: SetupVault
}

export interface SetupOptions extends Rollout {
  check: boolean
  diff: boolean
  newSecretId: boolean
  waitTimeoutS: number
  secretIdMinRemainingMs: number
  commandLine: string
}
