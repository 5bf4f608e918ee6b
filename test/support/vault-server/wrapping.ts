// Response wrapping: store a response behind a single-use token; unwrap and lookup it (vault/wrapping.go).
import { rfc3339 } from './clock.js'
import { allowOperation } from './acl.js'
import { aclFor } from './builtin-policies.js'
import { envelope, fail, INVALID_TOKEN, ok, PERMISSION_DENIED, type Reply } from './envelope.js'
import { str, type Ctx, type Route } from './route.js'
import type { ServerState, TokenEntry } from './state.js'
import { issueToken, lookupToken, useToken } from './tokens.js'

const INVALID = 'wrapping token is not valid or does not exist'

// Replaces a reply by its wrap_info; the original JSON body is kept for sys/wrapping/unwrap.
export function wrapReply(state: ServerState, reply: Reply, creationPath: string, ttl: number): Reply {
  const now = state.clock.now()
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body)
  const token = issueToken(state, {
    policies: ['response-wrapping'],
    path: creationPath,
    displayName: 'response-wrapping',
    ttl,
    maxTtl: ttl,
    numUses: 1,
    noDefaultPolicy: true,
    wrapped: { body, status: reply.status, creationPath, creationTime: now, ttl },
  })
  const wrapInfo: Record<string, unknown> = { token: token.id, accessor: token.accessor, ttl, creation_time: rfc3339(now), creation_path: creationPath }
  if (reply.wrappedAccessor) wrapInfo.wrapped_accessor = reply.wrappedAccessor
  const env = envelope({ wrapInfo })
  env.request_id = ''
  return { status: 200, body: env }
}

function replay(entry: TokenEntry): Reply {
  const w = entry.wrapped!
  return w.body === '' ? { status: 204 } : { status: 200, raw: w.body }
}

// POST sys/wrapping/unwrap. Like Vault's ValidateWrappingToken, the token to unwrap is the body's
// `token` (the client token then needs update on the path) or else the client token itself; an unknown,
// used or expired one is a 400. A wrapping token sent in both places is spent by the first check.
export const unwrapRoute: Route = {
  unauthenticated: true,
  write: (ctx: Ctx) => {
    const bodyToken = str(ctx.body, 'token')
    if (!bodyToken && !ctx.headerToken) return fail(403, INVALID_TOKEN)
    if (bodyToken) {
      const client = lookupToken(ctx.state, ctx.headerToken)
      if (!client) return fail(403, INVALID_TOKEN)
      if (!allowOperation(aclFor(ctx.state, client), 'sys/wrapping/unwrap', 'update').allowed) return fail(403, PERMISSION_DENIED)
      useToken(ctx.state, client)
    }
    const entry = lookupToken(ctx.state, bodyToken ?? ctx.headerToken)
    if (!entry?.wrapped) return fail(400, INVALID)
    ctx.state.tokens.delete(entry.id)
    return replay(entry)
  },
}

function lookup(ctx: Ctx): Reply {
  const entry = lookupToken(ctx.state, str(ctx.body, 'token') ?? ctx.headerToken)
  if (!entry?.wrapped) return fail(400, INVALID)
  const w = entry.wrapped
  return ok({ creation_path: w.creationPath, creation_time: rfc3339(w.creationTime), creation_ttl: w.ttl }, 'system')
}

// POST (or GET with the wrapping token as X-Vault-Token) sys/wrapping/lookup; unauthenticated, never consumes.
export const wrappingLookupRoute: Route = { unauthenticated: true, write: lookup, read: lookup }
