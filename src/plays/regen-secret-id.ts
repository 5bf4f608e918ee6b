// `authctl regen-secret-id`: give hosts (all, or one suspected compromised) a new AppRole secret-id.
// Per host: mint (metadata names the host), write it atomically, restart vault-agent alone, prove it
// logged in with it, then destroy the previous one. If the agent cannot log in, the previous secret-id
// is put back (it stays valid), the agent restarted on it, and the new one destroyed.
import { runPlay, type EngineDeps, type EngineResult } from '../engine/run-play.js'
import { warnHost } from '../engine/outcome.js'
import type { Play, PlayHost, PreparedHost } from '../engine/play.js'
import type { HostShare } from '../engine/rollout.js'
import { HostFailedError } from '../errors.js'
import { newOutcome, type HostOutcome } from '../output/host-result.js'
import type { RecapStyle } from '../output/recap.js'
import { Secret } from '../output/secret.js'
import type { HostState } from '../remote/parse-state.js'
import { readSecretCommand } from '../remote/read-secret.js'
import { credentialFile } from '../render/bundle.js'
import { stackPaths } from '../render/layout.js'
import { recordFile, secretIdContent, swapRecords } from '../steps/credentials.js'
import { converge, ConvergeError, readState, writeFiles, writeThenConverge, WriteError } from '../steps/host-steps.js'
import { decideSecretId, type SecretIdDecision, type SecretIdVault } from '../steps/secret-id.js'
import { contentSha } from '../steps/secret-id-record.js'
import { settleOwed } from '../steps/secret-id-settle.js'

export interface RegenHost extends PlayHost {
  project: string
  role: string
}

export interface RegenVault extends SecretIdVault {
  listSecretIdAccessors(role: string): Promise<string[]>
}

export interface RegenOptions {
  forks: number
  serial: HostShare
  maxFail: HostShare
  lockWaitMs: number
  waitTimeoutS: number
  commandLine: string
}

// A host's outcome: the new accessor, the ones destroyed, and whether the old one was put back.
export interface RegenHostResult extends HostOutcome {
  accessor: string | null
  destroyed: string[]
  restored: boolean
}

interface Prepared {
  decision: SecretIdDecision
  fileSha: string | undefined
}

type Host = PreparedHost<RegenHost, HostState, Prepared, RegenHostResult>

export const regenRecap: RecapStyle<RegenHostResult> = {
  label: { changed: 'replaced', skipped: 'not attempted' },
  detail: (r) => (r.accessor ? `secret-id accessor ${r.accessor}${r.destroyed.length > 0 ? `, destroyed ${r.destroyed.join(', ')}` : ''}` : ''),
}

export function runRegenSecretId(hosts: readonly RegenHost[], deps: EngineDeps & { vault: RegenVault }, opts: RegenOptions): Promise<EngineResult<RegenHostResult>> {
  return runPlay(regenPlay(deps, opts), hosts, deps, {
    forks: opts.forks, serial: opts.serial, maxFail: opts.maxFail, lock: 'read', lockWaitMs: opts.lockWaitMs, dryRun: false, unreachableCounts: true, commandLine: opts.commandLine,
  })
}

function regenPlay(deps: EngineDeps & { vault: RegenVault }, opts: RegenOptions): Play<RegenHost, HostState, Prepared, RegenHostResult> {
  return {
    newResult: (h) => ({ ...newOutcome(h.name), accessor: null, destroyed: [], restored: false }),
    read: (h, lock) => readState(h.remote, { paths: h.paths, project: h.host.project, lock, targets: [stackPaths(h.host.root).credential('secret-id'), h.paths.secretIdAccessor] }),
    prepare: async (h) => {
      if (!h.state.services.some((s) => s.service === 'vault-agent' && s.state === 'running')) {
        throw new HostFailedError(`${h.host.name}: vault-agent is not running`, { hint: `Deploy or repair the stack first: authctl setup -l ${h.host.name}` })
      }
      const file = h.state.paths.get(stackPaths(h.host.root).credential('secret-id'))
      const fileSha = file?.kind === 'file' ? file.sha256 : undefined
      const decision = await decideSecretId(deps.vault, {
        host: h.host.name, role: h.host.role, fileSha, record: h.state.secretIdRecord, forceNew: true, forceReason: 'regen-secret-id', minRemainingMs: 0, now: deps.now(),
      })
      for (const w of decision.warnings) warnHost(h.result, w, deps.reporter)
      return { decision, fileSha }
    },
    changes: () => true,
    rolling: () => true,
    apply: (h, ctx) => applyHost(h, deps, opts, ctx.audit),
  }
}

async function applyHost(h: Host, deps: EngineDeps & { vault: RegenVault }, opts: RegenOptions, audit: (fields: Record<string, unknown>) => void): Promise<void> {
  const { decision, fileSha } = h.prepared
  // minted only when this host's turn comes: a run killed earlier leaves no secret-id live that no host holds
  const minted = await deps.vault.createSecretId(h.host.role, { metadata: { host: h.host.name, created_by: 'authctl' } })
  deps.reporter.event(h.host.name, `minted a new secret-id (accessor ${minted.accessor})`)
  const secretPath = stackPaths(h.host.root).credential('secret-id')
  // the secret-id the host runs on now, kept in memory to put back if the agent cannot log in with the new one
  const old = fileSha === undefined ? undefined : await readOld(h, deps, secretPath, fileSha)
  const swap = swapRecords(h.paths, decision, minted, fileSha)
  // the files, then (in the same round trip, once all are in place) the agent's restart and its fresh login
  const files = [swap.before, credentialFile(h.host.root, 'secret-id', secretIdContent(minted.secretId)), swap.after]
  const restartAgent = { paths: h.paths, project: h.host.project, up: false, groups: [['vault-agent' as const]], waitSeconds: opts.waitTimeoutS }
  try {
    await writeThenConverge(h.remote, { dirs: [], files }, restartAgent, { timings: h.result.timings, written: () => undefined })
  } catch (error) {
    if (error instanceof ConvergeError) {
      await putBack(h, deps, opts, old, minted)
      throw new HostFailedError(`${error.message}${h.result.restored ? '; the previous secret-id was put back and stays valid, the new one was destroyed' : ''}`, { hint: error.hint })
    }
    if (error instanceof WriteError && error.written.includes(secretPath)) await putBack(h, deps, opts, old, minted)
    else await destroy(h, deps, minted.accessor)
    throw error
  }
  h.result.accessor = minted.accessor
  h.result.status = 'changed'
  deps.reporter.event(h.host.name, 'vault-agent logged in with the new secret-id')
  const current = { accessor: minted.accessor, sha256: contentSha(secretIdContent(minted.secretId)) }
  const settled = await settleOwed(h.remote, deps.vault, {
    role: h.host.role, paths: h.paths, current, owed: swap.owed,
    onDestroyed: (a) => deps.reporter.event(h.host.name, `destroyed secret-id accessor ${a}`),
    onFailed: (_a, message) => warnHost(h.result, message, deps.reporter),
  })
  h.result.destroyed = settled.destroyed
  audit({ secret_id_accessor: minted.accessor, destroyed: settled.destroyed, owed: settled.owed })
}

async function readOld(h: Host, deps: EngineDeps, path: string, sha: string): Promise<Secret | undefined> {
  const r = await h.remote.exec(readSecretCommand(path))
  const value = r.code === 0 ? new Secret(r.stdout) : undefined
  // only a copy that is exactly the file the state read saw can be put back
  if (value && contentSha(value.reveal()) === sha) return value
  warnHost(h.result, 'the current secret-id could not be read back: if the agent cannot log in with the new one, it cannot be put back', deps.reporter)
  return undefined
}

// The agent could not log in with the new secret-id: the old one and its record go back, the agent
// restarts on it, and the new one is destroyed.
async function putBack(h: Host, deps: EngineDeps & { vault: RegenVault }, opts: RegenOptions, old: Secret | undefined, minted: { accessor: string }): Promise<void> {
  const { decision, fileSha } = h.prepared
  if (old === undefined || decision.action !== 'mint' || decision.previous === undefined) {
    warnHost(h.result, `the new secret-id (accessor ${minted.accessor}) stays on the host: there is no previous one to put back`, deps.reporter)
    return
  }
  try {
    await writeFiles(h.remote, [], [credentialFile(h.host.root, 'secret-id', old.reveal()), recordFile(h.paths, { current: { accessor: decision.previous, sha256: fileSha }, owed: decision.owed })])
    h.result.restored = true
    await destroy(h, deps, minted.accessor)
    await converge(h.remote, { paths: h.paths, project: h.host.project, up: false, groups: [['vault-agent']], waitSeconds: opts.waitTimeoutS })
  } catch (error) {
    warnHost(h.result, `putting the previous secret-id back did not complete: ${(error as Error).message}; run authctl setup -l ${h.host.name}`, deps.reporter)
  }
}

async function destroy(h: Host, deps: EngineDeps & { vault: RegenVault }, accessor: string): Promise<void> {
  try {
    await deps.vault.destroySecretIdAccessor(h.host.role, accessor)
    deps.reporter.event(h.host.name, `destroyed secret-id accessor ${accessor}`)
  } catch (error) {
    warnHost(h.result, `could not destroy secret-id accessor ${accessor}: ${(error as Error).message}; destroy it with: vault write auth/approle/role/${h.host.role}/secret-id-accessor/destroy secret_id_accessor=${accessor}`, deps.reporter)
  }
}

// After every host succeeded: destroy every other secret-id of each role (the "maybe copied elsewhere" case).
export async function revokeAllOthers(vault: RegenVault, results: readonly RegenHostResult[], roles: readonly string[]): Promise<{ role: string; destroyed: string[]; failed: string[] }[]> {
  const keep = new Set(results.map((r) => r.accessor).filter((a): a is string => a !== null))
  const out: { role: string; destroyed: string[]; failed: string[] }[] = []
  for (const role of new Set(roles)) {
    const destroyed: string[] = []
    const failed: string[] = []
    for (const accessor of await vault.listSecretIdAccessors(role)) {
      if (keep.has(accessor)) continue
      await vault.destroySecretIdAccessor(role, accessor).then(() => destroyed.push(accessor), () => failed.push(accessor))
    }
    out.push({ role, destroyed, failed })
  }
  return out
}
