// Wires `authctl audit` to the inventory and SSH; prints the merged history unless --json.
import { engineDeps, withHosts, type HostSelectionInput } from '../../wiring/context.js'
import { formatAuditTable } from './audit-table.js'
import { runAudit, type AuditResult } from './play.js'

// The audit command's flags, parsed.
export interface AuditCommandInput extends HostSelectionInput {
  tail?: number
  since?: Date
  json: boolean
  argv: readonly string[]
}

// Entries shown when neither --tail nor --since says otherwise.
const DEFAULT_TAIL = 100

// Reads, merges and prints (or returns for --json) every selected host's audit lines.
export async function auditCommand(input: AuditCommandInput): Promise<AuditResult> {
  return withHosts({ ...input, command: ['audit'] }, async (session) => {
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot }))
    const result = await runAudit(hosts, await engineDeps(session), {
      tail: input.tail ?? (input.since === undefined ? DEFAULT_TAIL : undefined), since: input.since, forks: input.forks, commandLine: session.commandLine,
    })
    if (!input.json) process.stdout.write(formatAuditTable(result))
    return result
  })
}
