// The token store: issue, look up (with expiry against the test clock), use counts, revoke.
import { randomBytes, randomUUID } from 'node:crypto'
import type { ServerState, TokenEntry, WrappedResponse } from './state.js'

const DEFAULT_TTL = 768 * 3600 // Vault's system default lease TTL (32 days)

// Options for a new token; ttl/maxTtl in seconds (0 = system default / unlimited).
export interface IssueOptions {
  policies: string[]
  path: string
  displayName?: string
  meta?: Record<string, string> | null
  ttl?: number
  maxTtl?: number
  explicitMaxTtl?: number
  numUses?: number
  renewable?: boolean
  noDefaultPolicy?: boolean
  wrapped?: WrappedResponse
  id?: string
}

// Vault-looking service token value.
export function newTokenValue(): string {
  return `hvs.${randomBytes(18).toString('base64url')}`
}

// Creates and stores a token; root-policy tokens never expire.
export function issueToken(state: ServerState, opts: IssueOptions): TokenEntry {
  const now = state.clock.now()
  const isRoot = opts.policies.includes('root')
  const policies = isRoot ? ['root'] : [...new Set([...(opts.noDefaultPolicy || opts.wrapped ? [] : ['default']), ...opts.policies])].sort()
  const ttl = isRoot ? 0 : opts.ttl && opts.ttl > 0 ? opts.ttl : DEFAULT_TTL
  const cap = [opts.maxTtl, opts.explicitMaxTtl].filter((v): v is number => typeof v === 'number' && v > 0)
  const maxSeconds = isRoot ? 0 : Math.min(DEFAULT_TTL, ...cap)
  const effectiveTtl = maxSeconds > 0 ? Math.min(ttl, maxSeconds) : ttl
  const entry: TokenEntry = {
    id: opts.id ?? newTokenValue(),
    accessor: randomUUID(),
    policies,
    path: opts.path,
    displayName: opts.displayName ?? 'token',
    meta: opts.meta ?? null,
    creationTime: now,
    creationTtl: effectiveTtl,
    explicitMaxTtl: opts.explicitMaxTtl ?? 0,
    maxExpireAt: maxSeconds > 0 ? now + maxSeconds * 1000 : null,
    expireAt: effectiveTtl > 0 ? now + effectiveTtl * 1000 : null,
    numUses: opts.numUses ?? 0,
    renewable: !isRoot && !opts.wrapped && (opts.renewable ?? true),
    orphan: true,
    entityId: isRoot || opts.wrapped ? '' : randomUUID(),
    wrapped: opts.wrapped,
  }
  state.tokens.set(entry.id, entry)
  return entry
}

// The live token for a value, or null when unknown or expired (expired ones are reaped).
export function lookupToken(state: ServerState, id: string | undefined): TokenEntry | null {
  if (!id) return null
  const entry = state.tokens.get(id)
  if (!entry) return null
  if (entry.expireAt !== null && entry.expireAt <= state.clock.now()) {
    state.tokens.delete(id)
    return null
  }
  return entry
}

// Counts one use; a token with a use limit is revoked after its last use (wrapping tokens: 1 use).
export function useToken(state: ServerState, entry: TokenEntry): void {
  if (entry.numUses <= 0) return
  entry.numUses -= 1
  if (entry.numUses === 0) state.tokens.delete(entry.id)
}

// Remaining TTL in whole seconds (0 for non-expiring tokens).
export function remainingTtl(state: ServerState, entry: TokenEntry): number {
  return entry.expireAt === null ? 0 : Math.max(0, Math.floor((entry.expireAt - state.clock.now()) / 1000))
}

// The `auth` block of a login / token-create response.
export function authBlock(entry: TokenEntry, extra: { tokenPolicies?: string[] } = {}): Record<string, unknown> {
  return {
    client_token: entry.id,
    accessor: entry.accessor,
    policies: entry.policies,
    token_policies: extra.tokenPolicies ?? entry.policies,
    metadata: entry.meta,
    lease_duration: entry.creationTtl,
    renewable: entry.renewable,
    entity_id: entry.entityId,
    token_type: 'service',
    orphan: entry.orphan,
    mfa_requirement: null,
    num_uses: entry.numUses,
  }
}
