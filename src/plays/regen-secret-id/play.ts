// `authctl regen-secret-id`: give hosts (all, or one suspected compromised) a new AppRole secret-id,
// through the secret-id swap play (shared/secret-id-swap-play.ts), and --revoke-all-others once all succeeded.
import type { EngineResult } from '../../engine/run-play.js'
import type { EngineDeps } from '../../engine/play.js'
import type { RecapStyle } from '../../output/recap.js'
import { runSecretIdSwap, type SwapHost, type SwapHostResult, type SwapOptions, type SwapVault } from '../shared/secret-id-swap-play.js'

export type RegenHost = SwapHost
export type RegenVault = SwapVault
export type RegenOptions = Omit<SwapOptions, 'mode' | 'check'>
export type RegenHostResult = SwapHostResult

export const regenRecap: RecapStyle<RegenHostResult> = {
  label: { changed: 'replaced', skipped: 'not attempted' },
  detail: (r) => (r.accessor ? `secret-id accessor ${r.accessor}${r.destroyed.length > 0 ? `, destroyed ${r.destroyed.join(', ')}` : ''}` : ''),
}

export function runRegenSecretId(hosts: readonly RegenHost[], deps: EngineDeps & { vault: RegenVault }, opts: RegenOptions): Promise<EngineResult<RegenHostResult>> {
  return runSecretIdSwap(hosts, deps, { ...opts, mode: 'regen' })
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
