// `authctl db set-host` wired to the CLI: the new host from terraform or --host, Vault from the environment.
import { loadFleetVars, vaultPorts } from '../../wiring/vault-ports.js'
import { formatSetHost, runSetHost, type HostSource, type SetHostResult } from './play.js'

// Wires the command: the host from terraform or --host, Vault from the environment.
export async function dbSetHostCommand(input: { inventory: string; source: HostSource; check: boolean; yes: boolean; json: boolean }): Promise<SetHostResult> {
  const vars = await loadFleetVars(input.inventory)
  let host: string
  if ('host' in input.source) host = input.source.host
  else {
    const { terraformOutput } = await import('../../local-process/terraform.js')
    host = await terraformOutput(input.source.terraformDir, 'db_address', input.source.timeoutMs)
  }
  const result = await runSetHost(vaultPorts('db set-host', input.yes), vars, host, { check: input.check })
  if (!input.json) process.stdout.write(formatSetHost(result))
  return result
}
