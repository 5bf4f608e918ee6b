// Wires `authctl regen-secret-id`: confirmation, Vault from the environment, the engine, the recap,
// and --revoke-all-others once every host succeeded.
import { engineDeps, withHosts, type HostSelectionInput, type Selection } from '../../wiring/context.js'
import type { EngineResult } from '../../engine/run-play.js'
import { rolloutOf, type RolloutInput } from '../../engine/rollout.js'
import { ConfigError } from '../../errors.js'
import { formatRecap } from '../../output/recap.js'
import { openSetupVault } from '../../vault/setup-vault.js'
import { regenRecap, revokeAllOthers, runRegenSecretId, type RegenHostResult } from './play.js'

export interface RegenCommandInput extends HostSelectionInput, RolloutInput {
  waitTimeoutS: number
  revokeAllOthers: boolean
  yes: boolean
  json: boolean
  argv: readonly string[]
}

export type RegenCommandResult = EngineResult<RegenHostResult> & { revoked: { role: string; destroyed: string[]; failed: string[] }[] | null }

export async function regenSecretIdCommand(input: RegenCommandInput): Promise<RegenCommandResult> {
  if (input.revokeAllOthers && input.limit) {
    throw new ConfigError('--revoke-all-others cannot be combined with --limit: it would destroy the secret-ids of the hosts left out', { hint: 'Run it over the whole inventory, or drop --revoke-all-others.' })
  }
  const plan = (s: Selection): string[] => [
    `mint a new secret-id for ${s.hosts.length} host(s): ${s.hosts.map((h) => h.name).join(', ')}`,
    'restart vault-agent alone on each, one batch at a time, and prove it logged in with the new secret-id',
    'then destroy each host\'s previous secret-id (put back if the agent cannot log in)',
    ...(input.revokeAllOthers ? ['finally destroy EVERY other secret-id of the role'] : []),
  ]
  return withHosts({ ...input, command: ['regen-secret-id'], confirm: { yes: input.yes, action: 'authctl regen-secret-id', plan } }, async (session) => {
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject, role: h.vars.vaultApprole }))
    const vault = await openSetupVault(session.env)
    const result = await runRegenSecretId(hosts, { ...(await engineDeps(session)), vault }, {
      ...rolloutOf(input), waitTimeoutS: input.waitTimeoutS, commandLine: session.commandLine,
    })
    const allReplaced = result.hosts.every((h) => h.status === 'changed')
    const revoked = input.revokeAllOthers && allReplaced ? await revokeAllOthers(vault, result.hosts, hosts.map((h) => h.role)) : null
    if (!input.json) {
      process.stdout.write(formatRecap('REGEN-SECRET-ID', result.hosts, regenRecap))
      for (const r of revoked ?? []) process.stdout.write(`revoked every other secret-id of role ${r.role}: ${r.destroyed.length > 0 ? r.destroyed.join(', ') : 'none'}${r.failed.length > 0 ? `; could not destroy ${r.failed.join(', ')}` : ''}\n`)
      if (input.revokeAllOthers && !allReplaced) process.stdout.write('--revoke-all-others skipped: not every host got its new secret-id\n')
    }
    const revokeFailed = (revoked ?? []).some((r) => r.failed.length > 0)
    return { ...result, revoked, exitCode: result.exitCode === 0 && revokeFailed ? 6 : result.exitCode }
  })
}
