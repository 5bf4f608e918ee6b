// Wires `authctl restart` to the inventory, SSH, the reporter and the recap.
import { engineDeps, withHosts, type HostSelectionInput, type Selection } from '../../wiring/context.js'
import type { EngineResult } from '../../engine/run-play.js'
import { rolloutOf, type RolloutInput } from '../../engine/rollout.js'
import { formatRecap } from '../../output/recap.js'
import type { StackService } from '../../stack/services.js'
import { restartRecap, runRestart, type RestartHostResult } from '../shared/rolling-restart.js'
import { warnUnfinished } from '../shared/rotation-warning.js'

export interface RestartCommandInput extends HostSelectionInput, RolloutInput {
  services: StackService[]
  // every selected host at once: an outage until they are back, so confirmed (src/output/confirm.ts)
  allAtOnce: boolean
  yes: boolean
  waitTimeoutS: number
  json: boolean
  argv: readonly string[]
}

export async function restartCommand(input: RestartCommandInput): Promise<EngineResult<RestartHostResult>> {
  const confirm = input.allAtOnce ? { yes: input.yes, action: 'authctl restart --all-at-once', plan: (s: Selection) => allAtOncePlan(input.services, s) } : undefined
  return withHosts({ ...input, command: ['restart'], confirm }, async (session) => {
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject }))
    await warnUnfinished(session.selection.hosts, session.env)
    const result = await runRestart(hosts, await engineDeps(session), {
      ...rolloutOf(input), services: input.services, waitTimeoutS: input.waitTimeoutS, commandLine: session.commandLine,
    })
    if (!input.json) process.stdout.write(formatRecap('RESTART', result.hosts, restartRecap))
    return result
  })
}

// What --all-at-once will do, for the question.
function allAtOncePlan(services: readonly StackService[], s: Selection): string[] {
  return [
    `restart ${services.join(', ')} on ${s.hosts.length} host(s) at once: ${s.hosts.map((h) => h.name).join(', ')}`,
    'the stack is down on every one of them until they are healthy again',
  ]
}
