// Wires `authctl adopt`: confirmation (not for --check), Vault from the environment, the engine, the
// recap and the shared secret-ids' fate.
import { engineDeps, withHosts, type HostSelectionInput, type Selection } from '../../wiring/context.js'
import { rolloutOf, type RolloutInput } from '../../engine/rollout.js'
import { formatRecap } from '../../output/recap.js'
import { openSetupVault } from '../../vault/setup-vault.js'
import { adoptRecap, runAdopt, sharedLines, type AdoptResult } from './play.js'

export interface AdoptCommandInput extends HostSelectionInput, RolloutInput {
  check: boolean
  waitTimeoutS: number
  yes: boolean
  json: boolean
  argv: readonly string[]
}

export async function adoptCommand(input: AdoptCommandInput): Promise<AdoptResult> {
  const plan = (s: Selection): string[] => [
    `give each of ${s.hosts.length} host(s) that does not run on its own secret-id a new one: ${s.hosts.map((h) => h.name).join(', ')}`,
    'restart vault-agent alone on each, one batch at a time, and prove it logged in with it (the old file is put back if it cannot)',
    input.limit ? 'keep the shared secret-id (--limit: hosts left out may hold it)' : 'then destroy the shared secret-id(s) (metadata naming no host) once no host holds one',
  ]
  // the one confirmation rule (src/output/confirm.ts); --check changes nothing and asks nothing
  const confirm = input.check ? undefined : { yes: input.yes, action: 'authctl adopt', plan }
  return withHosts({ ...input, command: ['adopt'], confirm }, async (session) => {
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject, role: h.vars.vaultApprole }))
    const vault = await openSetupVault(session.env)
    const result = await runAdopt(hosts, { ...(await engineDeps(session)), vault }, {
      ...rolloutOf(input), waitTimeoutS: input.waitTimeoutS,
      commandLine: session.commandLine, check: input.check, wholeInventory: input.limit === undefined,
    })
    if (!input.json) process.stdout.write(formatRecap(input.check ? 'ADOPT (check)' : 'ADOPT', result.hosts, adoptRecap(input.check)) + sharedLines(result.shared))
    return result
  })
}
