// `authctl vault bootstrap` wired to the CLI: inventory variables, Vault from the environment, output unless --json.
import { loadFleetVars, vaultPorts } from '../../wiring/vault-ports.js'
import { bootstrapPolicies, formatBootstrap, runBootstrap, type BootstrapResult, type PrintedPolicy } from './play.js'

// Wires the command: inventory variables, Vault from the environment, output unless --json.
export async function vaultBootstrapCommand(input: { inventory: string; check: boolean; print: boolean; yes: boolean; json: boolean }): Promise<BootstrapResult | { policies: PrintedPolicy[] }> {
  const vars = await loadFleetVars(input.inventory)
  if (input.print) {
    const policies = bootstrapPolicies(vars)
    if (!input.json) process.stdout.write(policies.map((p) => `# ---- policy ${p.name}${p.written ? '' : ' (not written)'}\n${p.hcl}`).join('\n'))
    return { policies }
  }
  const result = await runBootstrap(vaultPorts('vault bootstrap', input.yes), vars, { check: input.check })
  if (!input.json) process.stdout.write(formatBootstrap(result))
  return result
}
