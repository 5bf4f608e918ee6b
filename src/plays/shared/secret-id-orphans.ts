// Secret-ids authctl minted for a host that no record names: a run killed between a mint and its write
// (SIGKILL, a lost bastion) leaves one live in Vault that nothing destroys. A run reaps them only under
// the host's deploy lock (otherwise another run may be between its mint and its write) and only when
// it knows which secret-id the host's file holds. A setup takes the lock only with its write, so it mints
// just before holding it: a secret-id younger than ORPHAN_GRACE_MS may be one that such a run is about to
// write, and is left to a later run.
import { warnHost } from '../../engine/outcome.js'
import type { SecretIdVault } from '../../steps/secret-id.js'
import { parseRecord } from '../../steps/secret-id-record.js'
import type { SwapDeps, SwapTarget } from './secret-id-put-back.js'

export interface OrphanVault extends SecretIdVault {
  listSecretIdAccessors(role: string): Promise<string[]>
}

// Far longer than a mint and its write (one round trip, bounded at 120 s) plus the clock skew between
// the bastion and Vault that NTP leaves.
export const ORPHAN_GRACE_MS = 5 * 60_000

// A live secret-id as the reaper sees it.
export interface LiveSecretId {
  metadata: Record<string, string>
  // Vault's creation_time; null when Vault gave none (counted as old)
  createdAt: Date | null
}

// Every live secret-id of the role with its metadata (a LIST, then one lookup each).
export async function roleSecretIds(vault: OrphanVault, role: string): Promise<Map<string, LiveSecretId>> {
  const out = new Map<string, LiveSecretId>()
  for (const accessor of await vault.listSecretIdAccessors(role)) {
    const info = await vault.lookupSecretIdAccessor(role, accessor)
    if (info !== null) out.set(accessor, { metadata: info.metadata, createdAt: info.creationTime ?? null })
  }
  return out
}

// One listing per role for the whole run, asked only when a host is reaped (never on a no-change run).
export type RoleSecretIds = (role: string) => Promise<Map<string, LiveSecretId>>
export function onceARun(vault: OrphanVault): RoleSecretIds {
  const listed = new Map<string, Promise<Map<string, LiveSecretId>>>()
  return (role) => listed.get(role) ?? listed.set(role, roleSecretIds(vault, role)).get(role)!
}

// Every accessor a host's record names: current, pending and owed.
export function namedBy(record: readonly string[]): string[] {
  const r = parseRecord(record)
  return [r.current?.accessor, r.pending?.accessor, ...r.owed].filter((a): a is string => a !== undefined)
}

// Destroys the host's orphans: metadata naming this host and created_by=authctl, named by no record
// (`named`: what the host's record says before and after this run), minted ORPHAN_GRACE_MS before `now`
// or earlier. `known`: the file's secret-id is one a record names (else what the host holds is unknown:
// warn, destroy nothing). Returns the destroyed.
export async function reapOrphans(h: SwapTarget, deps: SwapDeps, secretIds: RoleSecretIds, input: { named: readonly string[]; known: boolean; now: Date }): Promise<string[]> {
  let orphans: string[]
  try {
    const all = await secretIds(h.host.role)
    const candidates = [...all].filter(([a, s]) => s.metadata.host === h.host.name && s.metadata.created_by === 'authctl' && !input.named.includes(a))
    const young = candidates.filter(([, s]) => s.createdAt !== null && input.now.getTime() - s.createdAt.getTime() < ORPHAN_GRACE_MS).map(([a]) => a)
    if (young.length > 0) deps.reporter.event(h.host.name, `left alone for now: secret-id(s) ${young.join(', ')} minted for this host less than ${ORPHAN_GRACE_MS / 60_000} min ago and named by no record (a run may be about to write one); a later run destroys them if none does`)
    orphans = candidates.map(([a]) => a).filter((a) => !young.includes(a))
  } catch (error) {
    warnHost(h.result, `could not list the secret-ids of role ${h.host.role} to find ones minted for ${h.host.name} that no host holds: ${(error as Error).message}`, deps.reporter)
    return []
  }
  if (orphans.length === 0) return []
  if (!input.known) {
    warnHost(h.result, `secret-id(s) ${orphans.join(', ')} were minted by authctl for ${h.host.name} and no record names them, but the host's secret-id file matches no record, so which one it holds is unknown: none destroyed; authctl regen-secret-id -l ${h.host.name} gives it a recorded one, after which the next run destroys them`, deps.reporter)
    return []
  }
  const destroyed: string[] = []
  for (const accessor of orphans) {
    try {
      await deps.vault.destroySecretIdAccessor(h.host.role, accessor)
      destroyed.push(accessor)
      deps.reporter.event(h.host.name, `destroyed secret-id accessor ${accessor}: minted for this host by a run that never wrote it (no record names it)`)
    } catch (error) {
      warnHost(h.result, `could not destroy secret-id accessor ${accessor} (minted for ${h.host.name}, held by no host): ${(error as Error).message}; the next run retries (or: vault write auth/approle/role/${h.host.role}/secret-id-accessor/destroy secret_id_accessor=${accessor})`, deps.reporter)
    }
  }
  return destroyed
}
