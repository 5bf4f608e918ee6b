// Wires the setup play to the real world: inventory, Vault from the environment, SSH, the reporter,
// Ctrl-C handling and the recap. The command calls this; tests call the play with fakes.
import { engineDeps, withHosts, type HostSelectionInput, type Selection } from '../../wiring/context.js'
import { rolloutOf, type RolloutInput } from '../../engine/rollout.js'
import { formatRecap } from '../../output/recap.js'
import { openSetupVault } from '../../vault/setup-vault.js'
import { runSetup, type SetupResult } from './play.js'
import { warnUnfinished } from '../shared/rotation-warning.js'
import { setupHosts } from '../shared/setup-hosts.js'

export interface SetupCommandInput extends HostSelectionInput, RolloutInput {
  check: boolean
  diff: boolean
  newSecretId: boolean
  // confirms --new-secret-id (src/output/confirm.ts); --check needs none
  yes: boolean
  waitTimeoutS: number
  secretIdMinRemainingMs: number
  json: boolean
  argv: readonly string[]
}

export async function setupCommand(input: SetupCommandInput): Promise<SetupResult> {
  const confirm = input.newSecretId && !input.check ? { yes: input.yes, action: 'authctl setup --new-secret-id', plan: newSecretIdPlan } : undefined
  return withHosts({ ...input, command: ['setup'], live: true, confirm }, async (session) => {
    const hosts = await setupHosts(session.selection, session.env)
    const vault = await openSetupVault(session.env)
    await warnUnfinished(session.selection.hosts, session.env, vault)
    const result = await runSetup(hosts, { ...(await engineDeps(session)), vault }, {
      check: input.check, diff: input.diff, newSecretId: input.newSecretId, ...rolloutOf(input),
      waitTimeoutS: input.waitTimeoutS, secretIdMinRemainingMs: input.secretIdMinRemainingMs, commandLine: session.commandLine,
    })
    await session.live?.close(result.hosts)
    if (!input.json) {
      for (const h of result.hosts) if (h.diff) process.stdout.write(`=== ${h.host}\n${h.diff}`)
      process.stdout.write(formatRecap(input.check ? 'SETUP (check)' : 'SETUP', result.hosts))
    }
    return result
  })
}

// What --new-secret-id will do, for the question.
function newSecretIdPlan(s: Selection): string[] {
  return [
    `mint a new secret-id for ${s.hosts.length} host(s): ${s.hosts.map((h) => h.name).join(', ')}`,
    'restart each host\'s vault-agent on it, then destroy the host\'s previous secret-id once the host is healthy',
  ]
}
