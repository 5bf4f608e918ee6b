// What both rotation commands share when wired to the CLI: the refusal without a terminal (before anything
// is read), every host of the inventory (they all share the secret), Vault from the environment, and the
// propagation through `authctl restart`'s engine with its health gate.
import { engineDeps, withHosts, type HostSelectionInput, type HostSession } from '../../wiring/context.js'
import type { EngineResult } from '../../engine/run-play.js'
import { rolloutOf, type RolloutInput } from '../../engine/rollout.js'
import type { AuthctlVars } from '../../inventory/authctl-vars.js'
import { fleetVars } from '../../inventory/fleet-vars.js'
import { requireConfirmation } from '../../output/confirm.js'
import { STACK_SERVICES } from '../../stack/services.js'
import { runRestart, type CentralChange, type RestartHostResult } from './rolling-restart.js'
import { vaultPorts, type VaultPorts } from '../../wiring/vault-ports.js'

// The flags both rotations take besides their own (no --limit: every host uses the rotated secret).
export interface RotationInput extends Omit<HostSelectionInput, 'limit'>, RolloutInput {
  waitTimeoutS: number
  yes: boolean
  json: boolean
  argv: readonly string[]
}

// What a rotation command gets: the session, the shared variables, Vault, the hosts, and the restart.
export interface RotationSession {
  session: HostSession
  vars: AuthctlVars
  ports: VaultPorts
  hosts: string[]
  // the hosts locked and read, then the central change, then restarted (see runRestart)
  restart(names: readonly string[], central?: CentralChange): Promise<EngineResult<RestartHostResult>>
}

// A change without a terminal to ask on needs --yes: refuse (exit 5) before reading or connecting anything
// (the question itself comes with the plan, through the Vault ports' confirm).
export function refuseWithoutTerminal(yes: boolean, command: string): void {
  requireConfirmation({ yes, command: `authctl ${command}` })
}

// Runs a rotation with everything wired and closed in every case.
export async function withRotation<T>(command: string, input: RotationInput, run: (r: RotationSession) => Promise<T>): Promise<T> {
  refuseWithoutTerminal(input.yes, [command, ...input.argv].join(' '))
  return withHosts({ ...input, command: [command] }, async (session) => {
    const vars = fleetVars(session.selection.hosts)
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject }))
    const deps = await engineDeps(session)
    const restart = (names: readonly string[], central?: CentralChange) => runRestart(hosts.filter((h) => names.includes(h.name)), deps, {
      ...rolloutOf(input), services: STACK_SERVICES, waitTimeoutS: input.waitTimeoutS, commandLine: session.commandLine,
    }, central)
    return run({ session, vars, ports: vaultPorts(command, input.yes, session.env), hosts: hosts.map((h) => h.name), restart })
  })
}

// The error part of a result for people, on stderr as every command's errors are.
export function printOutcomeError(error: { message: string; hint?: string } | undefined): void {
  if (error === undefined) return
  process.stderr.write(`Error: ${error.message}\n${error.hint ? `Hint: ${error.hint}\n` : ''}`)
}
