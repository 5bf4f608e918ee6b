// Response wrapping: store a response behind a single-use token; unwrap and lookup it (vault/wrapping.go).
import { rfc3339 } from './clock.js'
import { envelope, fail, ok, type Reply } from './envelope.js'
import { str, type Ctx, type Route } from './route.js'
import type { ServerState, TokenEntry } from './state.js'
import { issueToken, lookupToken } from './tokens.js'

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

// POST sys/wrapping/unwrap: token in the body (any client token) or the wrapping token as client token.
export const unwrapRoute: Route = {
  write: (ctx: Ctx) => {
    const bodyToken = str(ctx.body, 'token')
    if (bodyToken) {
      const entry = lookupToken(ctx.state, bodyToken)
      if (!entry?.wrapped) return fail(400, INVALID)
      ctx.state.tokens.delete(entry.id)
      return replay(entry)
    }
    // The pipeline already spent the wrapping token's single use; its entry is still in ctx.
    if (!ctx.token?.wrapped) return fail(400, INVALID)
    ctx.state.tokens.delete(ctx.token.id)
    return replay(ctx.token)
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
