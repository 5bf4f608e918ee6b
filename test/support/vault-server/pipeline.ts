// One request through Vault's layers, in Vault's order: health, seal, wrap-TTL and PATCH header checks,
// body parsing, routing, token check, ACL (with existence check and sudo), handler, response wrapping.
import { allowOperation, type Operation } from './acl.js'
import { aclFor } from './builtin-policies.js'
import { parseDurationSeconds } from './duration.js'
import { fail, INVALID_TOKEN, multierror, PERMISSION_DENIED, type Reply } from './envelope.js'
import { health, sealStatus } from './health.js'
import { parseBool, type Ctx, type Route } from './route.js'
import { matchApprole } from './routes-approle.js'
import { matchKv } from './routes-kv.js'
import { matchSys } from './routes-sys.js'
import { matchToken } from './routes-token.js'
import type { ServerState } from './state.js'
import { lookupToken, useToken } from './tokens.js'
import { wrapReply } from './wrapping.js'

// The parts of an HTTP request the pipeline needs.
export interface RawRequest {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
  remoteAddress: string
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'LIST'])

function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

// X-Vault-Token, else Authorization: Bearer.
function requestToken(req: RawRequest): string | undefined {
  const t = header(req, 'x-vault-token')
  if (t) return t
  const auth = header(req, 'authorization')
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null
  return m?.[1]?.trim()
}

function parseBody(req: RawRequest): Record<string, unknown> | null {
  const text = req.body
  if (text.trim() === '') return {}
  const type = (header(req, 'content-type') ?? '').toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded') && !text.trimStart().startsWith('{')) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function findRoute(state: ServerState, path: string): Route | null {
  return matchSys(state, path) ?? matchToken(state, path) ?? matchApprole(state, path) ?? matchKv(state, path)
}

// Handles one /v1/ request against the state.
export function handleVault(state: ServerState, req: RawRequest): Reply {
  const url = new URL(req.url, 'http://vault.invalid')
  const method = req.method.toUpperCase()
  if (!url.pathname.startsWith('/v1/')) return fail(404)
  if (!METHODS.has(method)) return fail(405)
  const path = decodeURIComponent(url.pathname.slice(4))
  const query = url.searchParams

  if (path === 'sys/health') return health(state, query, method === 'HEAD')
  if (path === 'sys/seal-status') return sealStatus(state)
  if (state.sealed || state.mode === 'uninitialized') return fail(503, 'Vault is sealed')

  let wrapTtl: number | null = null
  const wrapHeader = header(req, 'x-vault-wrap-ttl')
  if (wrapHeader !== undefined && wrapHeader !== '') {
    try {
      wrapTtl = parseDurationSeconds(wrapHeader)
    } catch (e) {
      return fail(400, `error parsing X-Vault-Wrap-TTL header: ${(e as Error).message}`)
    }
    if (wrapTtl <= 0) wrapTtl = null
  }
  if (method === 'PATCH') {
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim()
    if (type === '') return fail(400, 'mime: no media type')
    if (type !== 'application/merge-patch+json') return fail(415, `PATCH requires Content-Type of application/merge-patch+json, provided ${type}`)
  }
  const body = parseBody(req)
  if (body === null) return fail(400, 'error parsing JSON')

  const isList = method === 'LIST' || ((method === 'GET') && parseBool(query.get('list')) === true)
  const route = findRoute(state, path)
  const headerToken = requestToken(req)
  const ctx: Ctx = { state, path, method, query, body, token: null, headerToken, wrapTtl, remoteAddress: req.remoteAddress }

  let op: Operation
  if (isList) op = 'list'
  else if (method === 'GET' || method === 'HEAD') op = 'read'
  else if (method === 'DELETE') op = 'delete'
  else if (method === 'PATCH') op = 'patch'
  else op = route?.exists && !route.exists(ctx) ? 'create' : 'update'

  if (!route?.unauthenticated) {
    const token = lookupToken(state, headerToken)
    if (!token) return fail(403, INVALID_TOKEN)
    const aclPath = isList && !path.endsWith('/') ? `${path}/` : path
    const decision = allowOperation(aclFor(state, token), aclPath, op, wrapTtl)
    if (!decision.allowed || (route?.sudo && !decision.rootPrivs)) return fail(403, PERMISSION_DENIED)
    useToken(state, token)
    ctx.token = token
  }
  if (!route) return fail(404, `no handler for route "${path}". route entry not found.`)
  if (route.unsupportedPath) return fail(404, multierror('unsupported path'))

  const handler = op === 'list' ? route.list : op === 'read' ? route.read : op === 'delete' ? route.delete : op === 'patch' ? route.patch : route.write
  if (!handler) return fail(405, multierror('unsupported operation'))
  const reply = handler(ctx)
  if (wrapTtl !== null && reply.status === 200 && reply.body !== undefined) return wrapReply(state, reply, path, wrapTtl)
  return reply
}
