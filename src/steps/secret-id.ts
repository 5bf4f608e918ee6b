// One secret-id lifecycle for every command that gives a host its AppRole secret-id (setup,
// regen-secret-id). From the host's record and its file's checksum it decides keep or mint, and which
// replaced secret-ids are owed a destroy. Nothing a host reports is trusted alone: every accessor is
// looked up in Vault: authctl destroys only secret-ids whose metadata names the host, never one that
// names another host or none (the Ansible-era shared one, the runbook's: `authctl adopt` retires those).
import type { Secret } from '../util/secret.js'
import { parseRecord, type RecordedSecretId } from './secret-id-record.js'

// The part of the Vault client this step needs (a port, so the decision is testable alone).
export interface SecretIdVault {
  // creationTime: Vault's clock (absent in the fakes of tests that do not reap)
  lookupSecretIdAccessor(role: string, accessor: string): Promise<{ expirationTime: Date | null; creationTime?: Date | null; metadata: Record<string, string> } | null>
  createSecretId(role: string, opts: { metadata: Record<string, string> }): Promise<{ secretId: Secret; accessor: string }>
  // true when destroyed, false when it was already gone
  destroySecretIdAccessor(role: string, accessor: string): Promise<boolean>
}

export type SecretIdDecision =
  // shared: the secret-id's metadata names no host (the Ansible-era one): the host may keep it, adopt replaces it
  | { action: 'keep'; accessor: string; sha256?: string; shared?: boolean; owed: string[]; warnings: string[] }
  // previous: the secret-id the host runs on now, destroyed once it runs healthy with the new one
  // (kept when keepPrevious: its metadata names no host, so other hosts may run on it too)
  | { action: 'mint'; reason: string; previous?: string; keepPrevious?: boolean; owed: string[]; warnings: string[] }

export interface SecretIdInput {
  host: string
  role: string
  // sha256 of the host's secret-id file; undefined when it has none
  fileSha?: string
  // the lines of the host's secret-id record
  record: readonly string[]
  forceNew: boolean
  forceReason?: string
  minRemainingMs: number
  now: Date
}

type Lookup = Awaited<ReturnType<SecretIdVault['lookupSecretIdAccessor']>>

// Looks the host's record up in Vault and says keep or mint, with the reason, what is owed and what looked wrong.
export async function decideSecretId(vault: SecretIdVault, input: SecretIdInput): Promise<SecretIdDecision> {
  const record = parseRecord(input.record)
  const warnings = record.rejected.map((l) => `ignored a line of the host's secret-id record that is not authctl's: ${JSON.stringify(l)}`)
  const candidates = [record.current, record.pending].filter((r): r is RecordedSecretId => r !== undefined)
  // the recorded secret-id that the host's file really holds (an old record carries no checksum)
  const described = input.fileSha === undefined ? undefined
    : candidates.find((c) => c.sha256 === input.fileSha) ?? (record.current?.sha256 === undefined ? record.current : undefined)
  const owedCandidates = [...record.owed, ...candidates.filter((c) => c !== described).map((c) => c.accessor)]
  const owed = await ours(vault, input, owedCandidates, warnings, 'not destroying')
  const mint = (reason: string, previous?: string): SecretIdDecision => ({ action: 'mint', reason, previous, owed, warnings })

  if (input.fileSha !== undefined && described === undefined) {
    warnings.push(record.current || record.pending
      ? `the host's secret-id file is not the one its record names (changed outside authctl, or a write was cut short): it gets a new one; the unknown one cannot be destroyed by accessor — list the role's accessors to find it`
      : `the host has a secret-id that authctl did not record (deployed before authctl?): it gets its own; the old one is never destroyed on this host's word (authctl adopt destroys a shared one once no host holds it)`)
    return mint(record.current || record.pending ? 'the secret-id file does not match its record' : 'no accessor is recorded for the host secret-id')
  }
  if (described === undefined) return mint('the host has no secret-id')
  const info = await vault.lookupSecretIdAccessor(input.role, described.accessor)
  if (info === null) return mint(`the recorded secret-id (accessor ${described.accessor}) is no longer valid in Vault`)
  if (info.metadata.host === undefined) {
    // a shared secret-id: the host may keep running on it, and only adopt may destroy it
    if (input.forceNew) return { action: 'mint', reason: input.forceReason ?? '--new-secret-id was given', previous: described.accessor, keepPrevious: true, owed, warnings }
    warnings.push(`the host runs on a secret-id whose metadata names no host (accessor ${described.accessor}: the Ansible-era shared one, or minted by hand): authctl adopt gives each host its own and destroys the shared one once no host holds it`)
    return { action: 'keep', accessor: described.accessor, sha256: input.fileSha, shared: true, owed, warnings }
  }
  if (!belongsTo(info, input.host)) {
    warnings.push(`the host's secret-id (accessor ${described.accessor}) was minted for ${hostOf(info)}, not ${input.host} (a cloned or tampered host?): it gets its own and that one is left alone; if the host is not trusted, run: authctl regen-secret-id -l ${hostOf(info)}`)
    return mint(`its secret-id belongs to ${hostOf(info)}`)
  }
  if (input.forceNew) return mint(input.forceReason ?? '--new-secret-id was given', described.accessor)
  if (info.expirationTime && info.expirationTime.getTime() - input.now.getTime() < input.minRemainingMs) {
    return mint(`the secret-id expires at ${info.expirationTime.toISOString()}`, described.accessor)
  }
  return { action: 'keep', accessor: described.accessor, sha256: input.fileSha, owed, warnings }
}

// The accessors among these that Vault still knows and that were minted for this host.
async function ours(vault: SecretIdVault, input: SecretIdInput, accessors: readonly string[], warnings: string[], what: string): Promise<string[]> {
  const out: string[] = []
  for (const accessor of new Set(accessors)) {
    const info: Lookup = await vault.lookupSecretIdAccessor(input.role, accessor)
    if (info === null) continue
    if (belongsTo(info, input.host)) out.push(accessor)
    else if (info.metadata.host === undefined) warnings.push(`${what} secret-id accessor ${accessor} that the host reports: its metadata names no host (shared by other hosts?); authctl adopt destroys it once no host holds it`)
    else warnings.push(`${what} secret-id accessor ${accessor} that the host reports: Vault says it was minted for ${hostOf(info)}`)
  }
  return out
}

// Only Vault's metadata makes a secret-id this host's: the host's own record is never enough.
export function belongsTo(info: { metadata: Record<string, string> }, host: string): boolean {
  return info.metadata.host === host
}

function hostOf(info: NonNullable<Lookup>): string {
  return info.metadata.host ?? 'an unknown host'
}
