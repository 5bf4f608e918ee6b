// auth/token/ endpoints: lookup-self, lookup, renew-self, revoke-self, create.
import { rfc3339 } from './clock.js'
import { parseDurationSeconds } from './duration.js'
import { envelope, fail, multierror, noContent, ok, type Reply } from './envelope.js'
import { int, list, parseBool, str, UNSUPPORTED, type Ctx, type Route } from './route.js'
import type { ServerState, TokenEntry } from './state.js'
import { authBlock, issueToken, lookupToken, remainingTtl } from './tokens.js'

// Resolves an auth/token/ path.
export function matchToken(_state: ServerState, path: string): Route | null {
  switch (path) {
    case 'auth/token/lookup-self':
      return { read: lookupSelf, write: lookupSelf }
    case 'auth/token/lookup':
      return { write: lookupOther }
    case 'auth/token/renew-self':
      return { write: renewSelf }
    case 'auth/token/revoke-self':
      return { write: revokeSelf }
    case 'auth/token/create':
      return { write: createToken }
    default:
      return path.startsWith('auth/token/') ? UNSUPPORTED : null
  }
}

// The data of token lookups (token-lookup-self.json).
export function tokenData(state: ServerState, t: TokenEntry): Record<string, unknown> {
  return {
    accessor: t.accessor,
    creation_time: Math.floor(t.creationTime / 1000),
    creation_ttl: t.creationTtl,
    display_name: t.displayName,
    entity_id: t.entityId,
    expire_time: t.expireAt === null ? null : rfc3339(t.expireAt),
    explicit_max_ttl: t.explicitMaxTtl,
    id: t.id,
    issue_time: rfc3339(t.creationTime),
    meta: t.meta,
    num_uses: t.numUses,
    orphan: t.orphan,
    path: t.path,
    policies: t.policies,
    renewable: t.renewable,
    ttl: remainingTtl(state, t),
    type: 'service',
  }
}

function lookupSelf(ctx: Ctx): Reply {
  return ok(tokenData(ctx.state, ctx.token!), 'token')
}

function lookupOther(ctx: Ctx): Reply {
  const t = lookupToken(ctx.state, str(ctx.body, 'token'))
  if (!t) return fail(403, multierror('bad token'))
  return ok(tokenData(ctx.state, t), 'token')
}

function renewSelf(ctx: Ctx): Reply {
  const t = ctx.token!
  if (!t.renewable) return fail(400, 'lease is not renewable')
  let increment: number
  try {
    increment = parseDurationSeconds(ctx.body.increment)
  } catch (e) {
    return fail(400, (e as Error).message)
  }
  const now = ctx.state.clock.now()
  const ttl = increment > 0 ? increment : t.creationTtl
  let expireAt = now + ttl * 1000
  const warnings: string[] = []
  if (t.maxExpireAt !== null && expireAt > t.maxExpireAt) {
    expireAt = t.maxExpireAt
    warnings.push('TTL of requested renewal was capped by the max TTL')
  }
  t.expireAt = expireAt
  const auth = { ...authBlock(t), lease_duration: Math.floor((expireAt - now) / 1000) }
  return { status: 200, body: envelope({ auth, warnings: warnings.length ? warnings : null, mountType: 'token' }) }
}

function revokeSelf(ctx: Ctx): Reply {
  ctx.state.tokens.delete(ctx.token!.id)
  return noContent()
}

// auth/token/create: children of root only in this server (enough for seeding operator tokens).
function createToken(ctx: Ctx): Reply {
  if (!ctx.token!.policies.includes('root')) return fail(403, multierror('permission denied'))
  try {
    const t = issueToken(ctx.state, {
      policies: list(ctx.body, 'policies') ?? [],
      path: 'auth/token/create',
      displayName: `token${str(ctx.body, 'display_name') ? `-${str(ctx.body, 'display_name')}` : ''}`,
      meta: (ctx.body.meta as Record<string, string> | undefined) ?? null,
      ttl: parseDurationSeconds(ctx.body.ttl),
      explicitMaxTtl: parseDurationSeconds(ctx.body.explicit_max_ttl),
      numUses: int(ctx.body, 'num_uses') ?? 0,
      noDefaultPolicy: parseBool(ctx.body.no_default_policy) === true,
      renewable: parseBool(ctx.body.renewable) !== false,
    })
    return { status: 200, body: envelope({ auth: authBlock(t), mountType: 'token' }) }
  } catch (e) {
    return fail(400, (e as Error).message)
  }
}
