// `authctl restart`: the runbook's restart.yml made safe for CI. Rolling by default: a batch of hosts
// restarts (the agent first, then server and worker), and the next batch starts only once every
// service is healthy, the agent has logged in since its restart and .env is rendered in the tmpfs.
import { runPlay, type EngineResult } from '../../engine/run-play.js'
import type { EngineDeps } from '../../engine/play.js'
import type { Play, PlayHost } from '../../engine/play.js'
import { rolloutOf, type Rollout } from '../../engine/rollout.js'
import { HostFailedError } from '../../errors.js'
import { newOutcome, type HostOutcome } from '../../engine/host-result.js'
import type { RecapStyle } from '../../output/recap.js'
import { restartGroups } from '../../remote/converge-script.js'
import { STACK_SERVICES, type StackService } from '../../stack/services.js'
import type { HostState } from '../../remote/parse-state.js'
import { converge, readState } from '../../steps/host-steps.js'

// One selected host, as far as restart cares.
export interface RestartHost extends PlayHost {
  project: string
}

export interface RestartOptions extends Rollout {
  services: readonly StackService[]
  waitTimeoutS: number
  commandLine: string
}

// A host's outcome: what was restarted and whether it came back healthy.
export interface RestartHostResult extends HostOutcome {
  restarted: string[]
  healthy: boolean | null
  // a restart an earlier failed run left owed on the host (done by this one)
  owedRestart: string | null
}

// How the recap names restart outcomes (status values in --json stay the engine's).
export const restartRecap: RecapStyle<RestartHostResult> = {
  label: { changed: 'restarted', skipped: 'not attempted' },
  detail: (r) => (r.restarted.length > 0 ? `restarted=${r.restarted.join(',')} healthy=${r.healthy ? 'yes' : 'no'}` : ''),
}

// A change made once while every host is locked (a rotation's Vault write): why not to restart, or undefined.
export type CentralChange = (ready: readonly string[], owed: readonly RestartHostResult[]) => Promise<string | undefined>

// Restarts the services on every host, a batch at a time, and always releases the lock; with a central
// change, every host is locked and read before it runs, and none is restarted unless it says go.
export function runRestart(hosts: readonly RestartHost[], deps: EngineDeps, opts: RestartOptions, central?: CentralChange): Promise<EngineResult<RestartHostResult>> {
  const play = restartPlay(deps, opts)
  if (central !== undefined) play.central = (ready, owed) => central(ready.map((h) => h.host.name), owed)
  return runPlay(play, hosts, deps, {
    ...rolloutOf(opts), lock: 'read', dryRun: false, unreachableCounts: true, commandLine: opts.commandLine,
  })
}

function restartPlay(deps: EngineDeps, opts: RestartOptions): Play<RestartHost, HostState, true, RestartHostResult> {
  return {
    newResult: (h) => ({ ...newOutcome(h.name), restarted: [], healthy: null, owedRestart: null }),
    read: (h, lock) => readState(h.remote, { paths: h.paths, project: h.host.project, lock, targets: [] }),
    prepare: async (h) => {
      const missing = STACK_SERVICES.filter((s) => !h.state.services.some((x) => x.service === s))
      if (missing.length > 0) {
        throw new HostFailedError(`${h.host.name}: the stack is not deployed (no ${missing.join(', ')} container)`, { hint: `Deploy it first: authctl setup -l ${h.host.name}` })
      }
      h.result.owedRestart = h.state.pendingRestart ?? null
      return true
    },
    changes: () => true,
    rolling: () => true,
    apply: async (h, ctx) => {
      // an owed `up` (a compose change that never converged) goes first; a full restart covers an owed agent restart
      const owed = h.result.owedRestart
      const services = owed === 'agent' ? STACK_SERVICES : opts.services
      deps.reporter.event(h.host.name, `restarting ${services.join(', ')}${owed ? ` (and the ${owed} restart owed by an earlier run)` : ''}`)
      h.result.healthy = false
      await converge(h.remote, { paths: h.paths, project: h.host.project, up: owed === 'up', groups: restartGroups(services), waitSeconds: opts.waitTimeoutS, owe: 'agent' })
      h.result.restarted = [...services]
      h.result.healthy = true
      h.result.status = 'changed'
      ctx.audit({ restart: services })
      deps.reporter.event(h.host.name, `healthy after restarting ${services.join(', ')}`)
    },
  }
}
