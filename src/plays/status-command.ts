// Wires `authctl status` to the real world: inventory and templates (what setup would deploy), Vault
// from the environment, SSH through withHosts; prints the table unless --json.
import { hostname } from 'node:os'
import { engineDeps, withHosts, type HostSelectionInput } from '../context.js'
import { formatStatusTable } from '../output/status-table.js'
import { openStatusVault } from '../vault/status-vault.js'
import { setupHosts } from './setup-hosts.js'
import { runStatus, type StatusResult } from './status.js'

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
export async function statusCommand(input: StatusCommandInput): Promise<StatusResult> {
  return withHosts({ ...input, command: ['status'] }, async (session) => {
    const hosts = await setupHosts(session.selection, session.env)
    const result = await runStatus(hosts, { ...(await engineDeps(session)), vault: openStatusVault(session.env), lockOwnerGone }, {
      warnBeforeMs: input.warnBeforeMs, staleAfterMs: input.staleAfterMs, strict: input.strict, loginTest: input.loginTest,
      forks: input.forks, commandLine: session.commandLine,
    })
    if (!input.json) process.stdout.write(formatStatusTable(result, Boolean(process.stdout.isTTY) && !session.env.NO_COLOR))
    return result
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
