// Wires `authctl restart` to the inventory, SSH, the reporter and the recap.
import { engineDeps, withHosts, type HostSelectionInput } from '../context.js'
import type { EngineResult } from '../engine/run-play.js'
import type { HostShare } from '../engine/rollout.js'
import { formatRecap } from '../output/recap.js'
import type { StackService } from '../remote/converge-script.js'
import { restartRecap, runRestart, type RestartHostResult } from './restart.js'
import { warnUnfinished } from './rotation-warning.js'

export interface RestartCommandInput extends HostSelectionInput {
  services: StackService[]
  serial: HostShare
  maxFail: HostShare
  waitTimeoutS: number
  lockWaitMs: number
  json: boolean
  argv: readonly string[]
}

export async function restartCommand(input: RestartCommandInput): Promise<EngineResult<RestartHostResult>> {
  return withHosts({ ...input, command: ['restart'] }, async (session) => {
    const hosts = session.selection.hosts.map((h) => ({ name: h.name, root: h.vars.authentikRoot, project: h.vars.composeProject }))
    await warnUnfinished(session.selection.hosts, session.env)
    const result = await runRestart(hosts, await engineDeps(session), {
      services: input.services, waitTimeoutS: input.waitTimeoutS, forks: input.forks, serial: input.serial, maxFail: input.maxFail,
      lockWaitMs: input.lockWaitMs, commandLine: session.commandLine,
    })
    if (!input.json) process.stdout.write(formatRecap('RESTART', result.hosts, restartRecap))
    return result
  })
}
