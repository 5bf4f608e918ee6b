// Wires `authctl status` to the real world: inventory and templates (what setup would deploy), Vault
// from the environment, SSH through withHosts; prints the table unless --json.
import { hostname } from 'node:os'
import { engineDeps, withHosts, type HostSelectionInput } from '../../wiring/context.js'
import { formatStatusTable } from './status-table.js'
import { openStatusVault } from '../../vault/status-vault.js'
import { setupHosts } from '../shared/setup-hosts.js'
import type { UnfinishedRotation } from '../shared/rotation-journal.js'
import { unfinishedLine, unfinishedOf } from '../shared/rotation-warning.js'
import { runStatus, type StatusResult } from './play.js'

// The status command's flags, parsed.
export interface StatusCommandInput extends HostSelectionInput {
  warnBeforeMs: number
  staleAfterMs: number
  strict: boolean
  loginTest: boolean
  json: boolean
  argv: readonly string[]
}

// Checks every selected host and prints the table (or returns the result for --json).
// The status result plus what the bastion knows: rotations that did not finish (resume them first).
export type StatusCommandResult = StatusResult & { rotations: UnfinishedRotation[] | { error: string } }

export async function statusCommand(input: StatusCommandInput): Promise<StatusCommandResult> {
  return withHosts({ ...input, command: ['status'] }, async (session) => {
    const hosts = await setupHosts(session.selection, session.env)
    const result = await runStatus(hosts, { ...(await engineDeps(session)), vault: openStatusVault(session.env), lockOwnerGone }, {
      warnBeforeMs: input.warnBeforeMs, staleAfterMs: input.staleAfterMs, strict: input.strict, loginTest: input.loginTest,
      forks: input.forks, commandLine: session.commandLine,
    })
    // a damaged journal is reported, not fatal: status must still show the hosts
    const rotations = await unfinishedOf(session.selection.hosts, session.env).catch((error: unknown) => ({ error: (error as Error).message }))
    const unfinished = Array.isArray(rotations) && rotations.length > 0
    if (!input.json) {
      process.stdout.write(formatStatusTable(result, Boolean(process.stdout.isTTY) && !session.env.NO_COLOR))
      if (Array.isArray(rotations)) for (const r of rotations) process.stdout.write(`\n${unfinishedLine(r)}\n`)
      else process.stdout.write(`\nthe rotation journal cannot be read: ${rotations.error}\n`)
    }
    // an unfinished rotation means Vault and the database may disagree: not a passing status
    return { ...result, rotations, exitCode: unfinished && result.exitCode === 0 ? 2 : result.exitCode }
  })
}

// A lock taken from this bastion by a process that no longer runs is stale whatever its age.
function lockOwnerGone(details: Record<string, unknown>): boolean {
  if (details.bastion !== hostname() || typeof details.pid !== 'number') return false
  try {
    process.kill(details.pid, 0)
    return false
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
