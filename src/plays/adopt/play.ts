// `authctl adopt`: take over an Ansible-era fleet. Each host that does not yet run on a secret-id
// minted for it gets its own through the secret-id swap play (its agent must log in with it); then the
// shared secret-ids (metadata naming no host) are destroyed only when every host of the role is proven
// to run on its own — otherwise they are listed with the hosts that may still hold them.
import type { EngineResult } from '../../engine/run-play.js'
import type { EngineDeps } from '../../engine/play.js'
import type { RecapStyle } from '../../output/recap.js'
import { runSecretIdSwap, type SwapHost, type SwapHostResult, type SwapOptions, type SwapVault } from '../shared/secret-id-swap-play.js'

// What became of the shared secret-ids of one role.
export interface SharedReport {
  role: string
  // accessors of the role whose metadata names no host
  shared: string[]
  destroyed: string[]
  failed: string[]
  // hosts not proven to run on their own secret-id (they may hold a shared one)
  holders: string[]
  // why the shared ones were kept, when they were
  kept: string | null
}

export interface AdoptResult extends EngineResult<SwapHostResult> {
  check: boolean
  shared: SharedReport[]
}

export const adoptRecap = (check: boolean): RecapStyle<SwapHostResult> => ({
  label: { changed: check ? 'would adopt' : 'adopted', ok: 'own already', skipped: 'not attempted' },
  detail: (r) => {
    if (r.accessor) return `own secret-id accessor ${r.accessor}, its agent logged in with it`
    if (r.held?.kind === 'own') return `already runs on its own secret-id (accessor ${r.held.accessor ?? '?'})`
    return r.status === 'changed' ? `would get its own secret-id (now: ${r.held?.kind ?? 'unknown'})` : ''
  },
})

export async function runAdopt(
  hosts: readonly SwapHost[], deps: EngineDeps & { vault: SwapVault }, opts: Omit<SwapOptions, 'mode'> & { wholeInventory: boolean },
): Promise<AdoptResult> {
  const run = await runSecretIdSwap(hosts, deps, { ...opts, mode: 'adopt' })
  const shared: SharedReport[] = []
  for (const role of new Set(hosts.map((h) => h.role))) {
    const results = run.hosts.filter((r) => hosts.find((h) => h.name === r.host)?.role === role)
    shared.push(await retireShared(deps.vault, role, results, { check: opts.check === true, wholeInventory: opts.wholeInventory }))
  }
  const destroyFailed = shared.some((s) => s.failed.length > 0)
  return { ...run, check: opts.check === true, shared, exitCode: run.exitCode === 0 && destroyFailed ? 6 : run.exitCode }
}

// A host runs on its own secret-id when this run proved its agent logged in with a new one, or it already did.
export function runsOnOwn(r: SwapHostResult, check: boolean): boolean {
  if (r.status === 'changed') return !check && r.accessor !== null
  return r.status === 'ok' && r.held?.kind === 'own'
}

async function retireShared(vault: SwapVault, role: string, results: readonly SwapHostResult[], opts: { check: boolean; wholeInventory: boolean }): Promise<SharedReport> {
  const shared: string[] = []
  for (const accessor of await vault.listSecretIdAccessors(role)) {
    const info = await vault.lookupSecretIdAccessor(role, accessor)
    if (info !== null && info.metadata.host === undefined) shared.push(accessor)
  }
  const holders = results.filter((r) => !runsOnOwn(r, opts.check)).map((r) => r.host)
  const report: SharedReport = { role, shared, destroyed: [], failed: [], holders, kept: null }
  if (shared.length === 0) return report
  if (holders.length > 0) report.kept = `${holders.join(', ')} ${opts.check ? 'would first get their own' : 'may still hold it'}`
  else if (!opts.wholeInventory) report.kept = 'only part of the inventory was adopted (--limit): hosts left out may still hold it'
  else if (opts.check) report.kept = 'would be destroyed once every host runs on its own (--check)'
  if (report.kept !== null) return report
  for (const accessor of shared) {
    await vault.destroySecretIdAccessor(role, accessor).then(() => report.destroyed.push(accessor), () => report.failed.push(accessor))
  }
  return report
}

// The lines after the recap: the shared secret-ids, destroyed or kept and why.
export function sharedLines(reports: readonly SharedReport[]): string {
  return reports.map((r) => {
    if (r.shared.length === 0) return `role ${r.role}: no shared secret-id (metadata naming no host) is left in Vault\n`
    if (r.kept !== null) return `role ${r.role}: shared secret-id(s) ${r.shared.join(', ')} kept: ${r.kept}\n`
    const failed = r.failed.length > 0 ? `; could not destroy ${r.failed.join(', ')} (run authctl adopt again, or: vault write auth/approle/role/${r.role}/secret-id-accessor/destroy secret_id_accessor=…)` : ''
    return `role ${r.role}: every host runs on its own secret-id; destroyed the shared one(s): ${r.destroyed.join(', ') || 'none'}${failed}\n`
  }).join('')
}
