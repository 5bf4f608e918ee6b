// Decides, per host, whether its AppRole secret-id can stay or a new one must be minted: only when
// the host has none, its recorded accessor is no longer valid or expires soon, or when forced.
import type { Secret } from '../output/secret.js'

// The part of the Vault client this step needs (a port, so the decision is testable alone).
export interface SecretIdVault {
  lookupSecretIdAccessor(role: string, accessor: string): Promise<{ expirationTime: Date | null } | null>
  createSecretId(role: string, opts: { metadata: Record<string, string> }): Promise<{ secretId: Secret; accessor: string }>
  destroySecretIdAccessor(role: string, accessor: string): Promise<void>
}

export type SecretIdDecision =
  | { action: 'keep'; accessor: string }
  | { action: 'mint'; reason: string; previousAccessor?: string }

export interface SecretIdInput {
  role: string
  hasSecretIdFile: boolean
  recordedAccessor?: string
  forceNew: boolean
  minRemainingMs: number
  now: Date
}

// Looks the recorded accessor up in Vault and says keep or mint, with the reason.
export async function decideSecretId(vault: SecretIdVault, input: SecretIdInput): Promise<SecretIdDecision> {
  const previous = input.recordedAccessor
  const valid = previous ? await vault.lookupSecretIdAccessor(input.role, previous) : null
  const keepable = valid ? previous : undefined
  if (input.forceNew) return { action: 'mint', reason: '--new-secret-id was given', previousAccessor: keepable }
  if (!input.hasSecretIdFile) return { action: 'mint', reason: 'the host has no secret-id', previousAccessor: keepable }
  if (!previous) return { action: 'mint', reason: 'no accessor is recorded for the host secret-id' }
  if (!valid) return { action: 'mint', reason: `the recorded secret-id (accessor ${previous}) is no longer valid in Vault` }
  if (valid.expirationTime && valid.expirationTime.getTime() - input.now.getTime() < input.minRemainingMs) {
    return { action: 'mint', reason: `the secret-id expires at ${valid.expirationTime.toISOString()}`, previousAccessor: previous }
  }
  return { action: 'keep', accessor: previous }
}
