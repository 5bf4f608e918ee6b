// Wires `authctl lock status|release` to the inventory and SSH.
import { selectHosts, sshConnector } from '../context.js'
import { formatLockResults, runLock, type LockHostResult } from './lock.js'

export interface LockCommandInput {
  inventory: string
  limit?: string
  forks: number
  knownHosts?: string
  acceptNew: boolean
  // connectionFlags arrive spread under their flag names.
  'ssh-config'?: string
  'insecure-ignore-host-keys'?: boolean
  release: boolean
  json: boolean
}

export async function lockCommand(input: LockCommandInput): Promise<{ hosts: LockHostResult[]; exitCode: number }> {
  const selection = await selectHosts(input.inventory, input.limit, process.env)
  const ssh = await sshConnector(selection.hosts, {
    knownHosts: input.knownHosts, acceptNew: input.acceptNew, forks: input.forks, env: process.env,
    sshConfig: input['ssh-config'], insecureHostKeys: input['insecure-ignore-host-keys'], interactive: !input.json,
  })
  try {
    const result = await runLock(selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot })), ssh.connect, { release: input.release, forks: input.forks })
    if (!input.json) process.stdout.write(formatLockResults(result.hosts))
    process.exitCode = result.exitCode
    return result
  } finally {
    await ssh.close()
  }
}
