// AppRole secret-id endpoints: create (optionally wrapped), list accessors, lookup/destroy by value or accessor.
import { randomUUID } from 'node:crypto'
import { isCidr } from './cidr.js'
import { rfc3339 } from './clock.js'
import { parseDurationSeconds } from './duration.js'
import { envelope, fail, multierror, noContent, ok, type Reply } from './envelope.js'
import { int, list, str, type Ctx, type Route } from './route.js'
import type { AuthMount, Role, SecretIdEntry, ServerState } from './state.js'

// Routes below role/:name/ that deal with secret-ids.
export function secretIdRoutes(mount: AuthMount, name: string, sub: string): Route | null {
  const role = (ctx: Ctx) => liveRole(ctx.state, mount, name)
  switch (sub) {
    case 'secret-id':
      return { write: (ctx) => createSecretId(ctx, role(ctx), name), list: (ctx) => listAccessors(role(ctx), name) }
    case 'secret-id/lookup':
      return { write: (ctx) => lookupByValue(ctx, role(ctx), name) }
    case 'secret-id/destroy':
      return { write: (ctx) => destroyByValue(ctx, role(ctx), name), delete: (ctx) => destroyByValue(ctx, role(ctx), name) }
    case 'secret-id-accessor/lookup':
      return { write: (ctx) => lookupByAccessor(ctx, role(ctx), name) }
    case 'secret-id-accessor/destroy':
      return { write: (ctx) => destroyByAccessor(ctx, role(ctx), name), delete: (ctx) => destroyByAccessor(ctx, role(ctx), name) }
    default:
      return null
  }
}

// The role with its expired secret-ids removed (Vault's tidy, done eagerly against the test clock).
export function liveRole(state: ServerState, mount: AuthMount, name: string): Role | undefined {
  const role = mount.roles.get(name.toLowerCase())
  if (!role) return undefined
  const now = state.clock.now()
  for (const [id, s] of role.secretIds) if (s.expiresAt !== null && s.expiresAt <= now) role.secretIds.delete(id)
  return role
}

function createSecretId(ctx: Ctx, role: Role | undefined, name: string): Reply {
  if (!role) return fail(404, `role "${name}" does not exist`)
  if (!role.bindSecretId) return fail(400, 'bind_secret_id is not set on the role')
  const b = ctx.body
  let metadata: Record<string, string> = {}
  const rawMeta = str(b, 'metadata')
  if (rawMeta !== undefined && rawMeta !== '') {
    try {
      const parsed: unknown = JSON.parse(rawMeta)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('metadata must be a JSON object')
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${typeof v} into Go value of type string`)
        metadata[k] = v
      }
    } catch (e) {
      return fail(400, `failed to parse metadata: ${(e as Error).message}`)
    }
  }
  let numUses = role.secretIdNumUses
  const rawUses = int(b, 'num_uses')
  if (rawUses !== undefined) {
    if (Number.isNaN(rawUses) || rawUses < 0) return fail(400, 'num_uses cannot be negative')
    if (role.secretIdNumUses > 0 && (rawUses === 0 || rawUses > role.secretIdNumUses)) return fail(400, "num_uses cannot be higher than the role's secret_id_num_uses")
    numUses = rawUses
  }
  let ttl = role.secretIdTtl
  if (b.ttl !== undefined && b.ttl !== '') {
    try {
      ttl = parseDurationSeconds(b.ttl)
    } catch (e) {
      return fail(400, (e as Error).message)
    }
    if (role.secretIdTtl > 0 && (ttl === 0 || ttl > role.secretIdTtl)) return fail(400, "ttl cannot be longer than the role's secret_id_ttl")
  }
  const cidrList = list(b, 'cidr_list') ?? []
  const bad = cidrList.find((c) => !isCidr(c))
  if (bad) return fail(400, `failed to validate CIDR blocks: invalid CIDR address: ${bad}`)
  const now = ctx.state.clock.now()
  metadata = { ...metadata }
  const entry: SecretIdEntry = {
    secretId: randomUUID(), accessor: randomUUID(), metadata, cidrList, tokenBoundCidrs: list(b, 'token_bound_cidrs') ?? [],
    numUses, ttl, creationTime: now, lastUpdatedTime: now, expiresAt: ttl > 0 ? now + ttl * 1000 : null,
  }
  role.secretIds.set(entry.secretId, entry)
  const data = { secret_id_accessor: entry.accessor, secret_id: entry.secretId, secret_id_ttl: ttl, secret_id_num_uses: numUses }
  return { ...ok(data, 'approle'), wrappedAccessor: entry.accessor }
}

function listAccessors(role: Role | undefined, name: string): Reply {
  if (!role) return fail(400, `role "${name}" does not exist`)
  const keys = [...role.secretIds.values()].map((s) => s.accessor)
  return keys.length === 0 ? fail(404) : ok({ keys }, 'approle')
}

// The lookup data of one secret-id (approle-secret-id-accessor-lookup.json).
export function secretIdData(s: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: s.cidrList,
    creation_time: rfc3339(s.creationTime),
    expiration_time: s.expiresAt === null ? '0001-01-01T00:00:00Z' : rfc3339(s.expiresAt),
    last_updated_time: rfc3339(s.lastUpdatedTime),
    metadata: s.metadata,
    secret_id_accessor: s.accessor,
    secret_id_num_uses: s.numUses,
    secret_id_ttl: s.ttl,
    token_bound_cidrs: s.tokenBoundCidrs,
  }
}

function byAccessor(role: Role, accessor: string): SecretIdEntry | undefined {
  return [...role.secretIds.values()].find((s) => s.accessor === accessor)
}

function lookupByAccessor(ctx: Ctx, role: Role | undefined, name: string): Reply {
  const accessor = str(ctx.body, 'secret_id_accessor')
  if (!accessor) return fail(400, 'missing secret_id_accessor')
  if (!role) return fail(500, multierror(`role "${name}" does not exist`))
  const s = byAccessor(role, accessor)
  if (!s) return { status: 404, body: envelope({ data: { error: `failed to find accessor entry for secret_id_accessor: "${accessor}"` } }) }
  return ok(secretIdData(s), 'approle')
}

function destroyByAccessor(ctx: Ctx, role: Role | undefined, name: string): Reply {
  const accessor = str(ctx.body, 'secret_id_accessor')
  if (!accessor) return fail(400, 'missing secret_id_accessor')
  if (!role) return fail(500, multierror(`role "${name}" does not exist`))
  const s = byAccessor(role, accessor)
  if (!s) return fail(500, multierror(`failed to find accessor entry for secret_id_accessor: "${accessor}"`))
  role.secretIds.delete(s.secretId)
  return noContent()
}

function lookupByValue(ctx: Ctx, role: Role | undefined, name: string): Reply {
  const secretId = str(ctx.body, 'secret_id')
  if (!secretId) return fail(400, 'missing secret_id')
  if (!role) return fail(500, multierror(`role "${name}" does not exist`))
  const s = role.secretIds.get(secretId)
  return s ? ok(secretIdData(s), 'approle') : noContent()
}

function destroyByValue(ctx: Ctx, role: Role | undefined, name: string): Reply {
  const secretId = str(ctx.body, 'secret_id')
  if (!secretId) return fail(400, 'missing secret_id')
  if (!role) return fail(500, multierror(`role "${name}" does not exist`))
  role.secretIds.delete(secretId)
  return noContent()
}
