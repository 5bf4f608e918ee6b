// Wires `authctl ssh-check` to the inventory and SSH: resolve (config errors before connecting),
// connect, report, close.
import { withHosts, type HostSelectionInput } from '../../wiring/context.js'
import { formatSshCheck, runSshCheck, type SshCheckResult } from './play.js'

export interface SshCheckCommandInput extends HostSelectionInput {
  json: boolean
  argv: readonly string[]
}

// Runs the check and sets the exit code (4 when any host is unreachable).
export async function sshCheckCommand(input: SshCheckCommandInput): Promise<SshCheckResult> {
  return withHosts({ ...input, command: ['ssh-check'] }, async (session) => {
    const targets = session.targets.map((t) => ({ name: t.name, user: t.user, host: t.host, port: t.port, jumps: (t.jumps ?? []).map((j) => `${j.user}@${j.host}:${j.port}`) }))
    const result = await runSshCheck(targets, session.connect, { forks: input.forks }, session.interrupt)
    if (!input.json) process.stdout.write(formatSshCheck(result.hosts))
    process.exitCode = result.exitCode
    return result
  })
}
