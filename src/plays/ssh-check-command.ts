// Wires `authctl ssh-check` to the inventory and SSH: resolve (config errors before connecting),
// connect, report, close.
import { selectHosts, sshConnector, type HostSelectionInput } from '../context.js'
import { formatSshCheck, runSshCheck, type SshCheckResult } from './ssh-check.js'

export interface SshCheckCommandInput extends HostSelectionInput {
  json: boolean
}

// Runs the check and sets the exit code (4 when any host is unreachable).
export async function sshCheckCommand(input: SshCheckCommandInput): Promise<SshCheckResult> {
  const selection = await selectHosts(input.inventory, input.limit, process.env)
  const ssh = await sshConnector(selection.hosts, {
    knownHosts: input.knownHosts, acceptNew: input.acceptNew, forks: input.forks, env: process.env,
    sshConfig: input.sshConfig, insecureHostKeys: input.insecureHostKeys, interactive: !input.json,
  })
  try {
    const targets = ssh.targets.map((t) => ({ name: t.name, user: t.user, host: t.host, port: t.port, jumps: (t.jumps ?? []).map((j) => `${j.user}@${j.host}:${j.port}`) }))
    const result = await runSshCheck(targets, ssh.connect)
    if (!input.json) process.stdout.write(formatSshCheck(result.hosts))
    process.exitCode = result.exitCode
    return result
  } finally {
    await ssh.close()
  }
}
