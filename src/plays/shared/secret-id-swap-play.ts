// The play that gives hosts a new AppRole secret-id, shared by regen-secret-id (every selected host)
// and adopt (only hosts that do not yet run on their own). Per host: mint (metadata names the host),
// write it atomically, restart vault-agent alone, prove it logged in with it, then destroy the
// previous one when Vault says it was minted for this host. If the agent cannot log in, the previous
// file (read into memory, recorded or not) is put back and the new one destroyed; if the outcome is
// unknown (cut, timeout, interrupt), neither is destroyed nor put back and the pending record stays.
import { runPlay, type EngineResult } from '../../engine/run-play.js'
import type { EngineDeps } from '../../engine/play.js'
import { warnHost } from '../../engine/outcome.js'
import type { Play, PlayHost, PreparedHost } from '../../engine/play.js'
import { rolloutOf, type Rollout } from '../../engine/rollout.js'
import { HostFailedError } from '../../errors.js'
import { newOutcome, type HostOutcome } from '../../engine/host-result.js'
import type { Secret } from '../../util/secret.js'
import type { HostState } from '../../remote/parse-state.js'
import { credentialFile } from '../../render/bundle.js'
import { stackPaths } from '../../stack/layout.js'
import { secretIdContent, swapRecords } from '../../steps/credentials.js'
import { readState, writeThenConverge } from '../../steps/host-steps.js'
import { decideSecretId, type SecretIdDecision } from '../../steps/secret-id.js'
import { contentSha, heldSecretId } from '../../steps/secret-id-record.js'
import { settleOwed } from '../../steps/secret-id-settle.js'
import { swapOutcome, unknownSwapWarning } from '../../steps/secret-id-swap.js'
import { namedBy, onceARun, reapOrphans, type OrphanVault, type RoleSecretIds } from './secret-id-orphans.js'
import { destroyMinted, putBackSecretId, readOldSecretId } from './secret-id-put-back.js'

export interface SwapHost extends PlayHost {
  project: string
  role: string
}

export type SwapVault = OrphanVault

export interface SwapOptions extends Rollout {
  waitTimeoutS: number
  commandLine: string
  // regen: every host gets a new one; adopt: only hosts not already on a secret-id minted for them
  mode: 'regen' | 'adopt'
  // adopt --check: decide and report, mint and write nothing
  check?: boolean
}

// A host's outcome: the new accessor, the ones destroyed, whether the old one was put back, and (for
// adopt) what the host ran on before: its own secret-id, a shared or unrecorded one.
export interface SwapHostResult extends HostOutcome {
  accessor: string | null
  destroyed: string[]
  restored: boolean
  // pending: its own, from a swap whose outcome was unknown (its agent's login with it was never proven)
  held?: { kind: 'own' | 'pending' | 'shared' | 'unrecorded' | 'none'; accessor: string | null; sha256: string | null }
}

interface Prepared {
  decision: SecretIdDecision
  // whether this host gets a new secret-id: minted only when its turn comes (apply), so that a run killed
  // earlier leaves no secret-id live in Vault that no host holds
  swap: boolean
  fileSha: string | undefined
}

type Host = PreparedHost<SwapHost, HostState, Prepared, SwapHostResult>
type Deps = EngineDeps & { vault: SwapVault }

export function runSecretIdSwap(hosts: readonly SwapHost[], deps: Deps, opts: SwapOptions): Promise<EngineResult<SwapHostResult>> {
  return runPlay(swapPlay(deps, opts), hosts, deps, {
    ...rolloutOf(opts), lock: opts.check ? 'none' : 'read', dryRun: opts.check === true, unreachableCounts: true, commandLine: opts.commandLine,
  })
}

function swapPlay(deps: Deps, opts: SwapOptions): Play<SwapHost, HostState, Prepared, SwapHostResult> {
  const secretIds = onceARun(deps.vault)
  return {
    newResult: (h) => ({ ...newOutcome(h.name), accessor: null, destroyed: [], restored: false }),
    read: (h, lock) => readState(h.remote, { paths: h.paths, project: h.host.project, lock, targets: [stackPaths(h.host.root).credential('secret-id'), h.paths.secretIdAccessor] }),
    prepare: async (h) => {
      if (!h.state.services.some((s) => s.service === 'vault-agent' && s.state === 'running')) {
        throw new HostFailedError(`${h.host.name}: vault-agent is not running`, { hint: `Deploy or repair the stack first: authctl setup -l ${h.host.name}` })
      }
      const file = h.state.paths.get(stackPaths(h.host.root).credential('secret-id'))
      const fileSha = file?.kind === 'file' ? file.sha256 : undefined
      const input = { host: h.host.name, role: h.host.role, fileSha, record: h.state.secretIdRecord, minRemainingMs: 0, now: deps.now() }
      if (opts.mode === 'adopt') {
        const held = await decideSecretId(deps.vault, { ...input, forceNew: false })
        h.result.held = heldBy(held, fileSha, heldSecretId(h.state.secretIdRecord, fileSha).via === 'pending')
        if (h.result.held.kind === 'own') {
          deps.reporter.event(h.host.name, `already runs on its own secret-id (accessor ${h.result.held.accessor})`)
          return { decision: held, swap: false, fileSha }
        }
      }
      const decision = await decideSecretId(deps.vault, { ...input, forceNew: true, forceReason: opts.mode === 'adopt' ? 'adopt' : 'regen-secret-id' })
      for (const w of decision.warnings) warnHost(h.result, w, deps.reporter)
      if (opts.check) {
        deps.reporter.event(h.host.name, 'would mint its own secret-id, restart vault-agent and prove its login')
        h.result.status = 'changed'
        return { decision, swap: false, fileSha }
      }
      return { decision, swap: true, fileSha }
    },
    changes: (h) => h.prepared.swap,
    rolling: () => true,
    apply: async (h, ctx) => {
      // the secret-id the host runs on now, kept in memory to put back if the agent cannot log in with the
      // new one; read before the mint, so a connection lost here leaves nothing minted
      const { fileSha } = h.prepared
      const old = fileSha === undefined ? undefined : await readOldSecretId(h, deps, stackPaths(h.host.root).credential('secret-id'), fileSha)
      const minted = await deps.vault.createSecretId(h.host.role, { metadata: { host: h.host.name, created_by: 'authctl' } })
      deps.reporter.event(h.host.name, `minted a new secret-id (accessor ${minted.accessor})`)
      await applyHost(h, { minted, old }, deps, opts, ctx.audit, secretIds)
    },
  }
}

// What the host ran on before adopt: its own secret-id (nothing to do), a shared one, or one no record names.
function heldBy(decision: SecretIdDecision, fileSha: string | undefined, pending: boolean): NonNullable<SwapHostResult['held']> {
  const sha256 = fileSha ?? null
  if (fileSha === undefined) return { kind: 'none', accessor: null, sha256 }
  if (decision.action === 'keep') return { kind: decision.shared ? 'shared' : pending ? 'pending' : 'own', accessor: decision.accessor, sha256 }
  return { kind: 'unrecorded', accessor: decision.previous ?? null, sha256 }
}

async function applyHost(
  h: Host, { minted, old }: { minted: { secretId: Secret; accessor: string }; old: Secret | undefined }, deps: Deps, opts: SwapOptions,
  audit: (fields: Record<string, unknown>) => void, secretIds: RoleSecretIds,
): Promise<void> {
  const { decision, fileSha } = h.prepared
  const secretPath = stackPaths(h.host.root).credential('secret-id')
  const swap = swapRecords(h.paths, decision, minted, fileSha)
  // the record naming the new one as pending, the file, then (same round trip) the agent's restart and
  // fresh login; the record makes it current only once that login is proven, so a cut leaves it pending
  const files = [swap.before, credentialFile(h.host.root, 'secret-id', secretIdContent(minted.secretId))]
  const restartAgent = { paths: h.paths, project: h.host.project, up: false, groups: [['vault-agent' as const]], waitSeconds: opts.waitTimeoutS }
  try {
    await writeThenConverge(h.remote, { dirs: [], files }, restartAgent, { timings: h.result.timings, written: () => undefined })
  } catch (error) {
    const outcome = swapOutcome(error, secretPath)
    if (outcome === 'unknown') {
      warnHost(h.result, unknownSwapWarning(h.host.name, minted.accessor, decision.action === 'mint' ? decision.previous : undefined), deps.reporter)
      audit({ secret_id_accessor: minted.accessor, outcome: 'unknown' })
    } else if (outcome === 'not-written') {
      await destroyMinted(h, deps, minted.accessor)
    } else {
      h.result.restored = await putBackSecretId(h, deps, { minted: minted.accessor, old, decision, fileSha, waitTimeoutS: opts.waitTimeoutS })
      if (outcome === 'no-login') throw new HostFailedError(`${(error as Error).message}${h.result.restored ? '; the previous secret-id was put back and stays valid, the new one was destroyed' : ''}`, { hint: (error as HostFailedError).hint })
    }
    throw error
  }
  h.result.accessor = minted.accessor
  h.result.status = 'changed'
  deps.reporter.event(h.host.name, 'vault-agent logged in with the new secret-id')
  const current = { accessor: minted.accessor, sha256: contentSha(secretIdContent(minted.secretId)) }
  const settled = await settleOwed(h.remote, deps.vault, {
    role: h.host.role, paths: h.paths, current, owed: swap.owed, rewrite: true,
    onDestroyed: (a) => deps.reporter.event(h.host.name, `destroyed secret-id accessor ${a}`),
    onFailed: (_a, message) => warnHost(h.result, message, deps.reporter),
  })
  // the lock is held since the read: no other run is between a mint and its write for this host
  const reaped = await reapOrphans(h, deps, secretIds, { named: [...namedBy(h.state.secretIdRecord), minted.accessor, ...swap.owed], known: true, now: deps.now() })
  h.result.destroyed = [...settled.destroyed, ...reaped]
  audit({ secret_id_accessor: minted.accessor, destroyed: h.result.destroyed, owed: settled.owed })
}
