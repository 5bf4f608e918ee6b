// Wires `authctl lock status|release` to the inventory and SSH.
import { withHosts, type HostSelectionInput } from '../../wiring/context.js'
import { formatLockResults, runLock, type LockHostResult } from './play.js'

export interface LockCommandInput extends HostSelectionInput {
  release: boolean
  json: boolean
  argv: readonly string[]
}

export async function lockCommand(input: LockCommandInput): Promise<{ hosts: LockHostResult[]; exitCode: number }> {
  return withHosts({ ...input, command: ['lock', input.release ? 'release' : 'status'] }, async (session) => {
    const result = await runLock(session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot })), session.connect, { release: input.release, forks: input.forks }, session.interrupt)
    if (!input.json) process.stdout.write(formatLockResults(result.hosts))
    process.exitCode = result.exitCode
    return result
  })
}
