// auth/<approle mount>/ endpoints: roles, role-id, secret-ids and login (builtin/credential/approle).
import { randomUUID } from 'node:crypto'
import { login, readRoleId, writeRoleId } from './approle-login.js'
import { secretIdRoutes } from './approle-secret-id.js'
import { parseDurationSeconds } from './duration.js'
import { fail, multierror, noContent, ok, type Reply } from './envelope.js'
import { int, list, parseBool, str, UNSUPPORTED, type Ctx, type Route } from './route.js'
import type { AuthMount, Role, ServerState } from './state.js'

// Resolves auth/<mount>/… for an enabled AppRole mount.
export function matchApprole(state: ServerState, path: string): Route | null {
  const m = /^auth\/([^/]+)\/(.*)$/.exec(path)
  if (!m) return null
  const mount = state.authMounts.get(`${m[1]}/`)
  if (!mount || mount.type !== 'approle') return null
  const rest = m[2]!
  if (rest === 'login') return { unauthenticated: true, write: (ctx) => login(ctx, mount, `auth/${m[1]}/login`), mountType: 'approle' }
  if (rest === 'role' || rest === 'role/') return { list: () => listRoles(mount) }
  const r = /^role\/([^/]+)(?:\/(.+))?$/.exec(rest)
  if (!r) return UNSUPPORTED
  const name = r[1]!
  const sub = r[2]
  if (sub === undefined) return roleRoute(mount, name)
  if (sub === 'role-id') return { read: (ctx) => readRoleId(mount, name, ctx), write: (ctx) => writeRoleId(mount, name, ctx) }
  return secretIdRoutes(mount, name, sub) ?? UNSUPPORTED
}

function listRoles(mount: AuthMount): Reply {
  const keys = [...mount.roles.keys()].sort()
  return keys.length === 0 ? fail(404) : ok({ keys }, 'approle')
}

function roleRoute(mount: AuthMount, name: string): Route {
  return {
    exists: () => mount.roles.has(name.toLowerCase()),
    read: () => {
      const role = mount.roles.get(name.toLowerCase())
      return role ? ok(roleData(role), 'approle') : fail(404)
    },
    write: (ctx) => writeRole(ctx, mount, name),
    delete: () => {
      mount.roles.delete(name.toLowerCase())
      return noContent()
    },
  }
}

function roleData(r: Role): Record<string, unknown> {
  return {
    bind_secret_id: r.bindSecretId,
    local_secret_ids: r.localSecretIds,
    secret_id_bound_cidrs: r.secretIdBoundCidrs,
    secret_id_num_uses: r.secretIdNumUses,
    secret_id_ttl: r.secretIdTtl,
    token_bound_cidrs: r.tokenBoundCidrs,
    token_explicit_max_ttl: r.tokenExplicitMaxTtl,
    token_max_ttl: r.tokenMaxTtl,
    token_no_default_policy: r.tokenNoDefaultPolicy,
    token_num_uses: r.tokenNumUses,
    token_period: r.tokenPeriod,
    token_policies: r.tokenPolicies,
    token_ttl: r.tokenTtl,
    token_type: r.tokenType,
    policies: r.tokenPolicies,
    period: r.tokenPeriod,
  }
}

function newRole(name: string): Role {
  return {
    name, roleId: randomUUID(), bindSecretId: true, secretIdBoundCidrs: [], secretIdNumUses: 0, secretIdTtl: 0,
    localSecretIds: false, tokenTtl: 0, tokenMaxTtl: 0, tokenPolicies: [], tokenBoundCidrs: [], tokenExplicitMaxTtl: 0,
    tokenNoDefaultPolicy: false, tokenNumUses: 0, tokenPeriod: 0, tokenType: 'default', secretIds: new Map(),
  }
}

// POST role/:name — create with defaults or update only the given fields (pathRoleCreateUpdate).
function writeRole(ctx: Ctx, mount: AuthMount, rawName: string): Reply {
  if (Buffer.byteLength(rawName) > 4096) return fail(400, 'role_name is longer than maximum of 4096 bytes')
  const name = rawName.toLowerCase()
  const existing = mount.roles.get(name)
  const role: Role = existing ? { ...existing } : newRole(name)
  const b = ctx.body
  try {
    const bind = parseBool(b.bind_secret_id)
    if (bind !== undefined) role.bindSecretId = bind !== false
    role.secretIdBoundCidrs = list(b, 'secret_id_bound_cidrs') ?? list(b, 'bound_cidr_list') ?? role.secretIdBoundCidrs
    const numUses = int(b, 'secret_id_num_uses')
    if (numUses !== undefined) {
      if (Number.isNaN(numUses)) return fail(400, 'error converting input for field "secret_id_num_uses"')
      if (numUses < 0) return fail(400, 'secret_id_num_uses cannot be negative')
      role.secretIdNumUses = numUses
    }
    if (b.secret_id_ttl !== undefined) role.secretIdTtl = parseDurationSeconds(b.secret_id_ttl)
    if (!existing && parseBool(b.local_secret_ids) === true) role.localSecretIds = true
    if (b.token_ttl !== undefined) role.tokenTtl = parseDurationSeconds(b.token_ttl)
    if (b.token_max_ttl !== undefined) role.tokenMaxTtl = parseDurationSeconds(b.token_max_ttl)
    if (b.token_explicit_max_ttl !== undefined) role.tokenExplicitMaxTtl = parseDurationSeconds(b.token_explicit_max_ttl)
    const period = b.token_period ?? b.period
    if (period !== undefined) role.tokenPeriod = parseDurationSeconds(period)
    role.tokenPolicies = list(b, 'token_policies') ?? list(b, 'policies') ?? role.tokenPolicies
    role.tokenBoundCidrs = list(b, 'token_bound_cidrs') ?? role.tokenBoundCidrs
    const noDefault = parseBool(b.token_no_default_policy)
    if (noDefault !== undefined && noDefault !== null) role.tokenNoDefaultPolicy = noDefault
    const tokenUses = int(b, 'token_num_uses')
    if (tokenUses !== undefined && !Number.isNaN(tokenUses)) role.tokenNumUses = tokenUses
    role.tokenType = str(b, 'token_type') ?? role.tokenType
  } catch (e) {
    return fail(400, (e as Error).message)
  }
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) return fail(400, 'token_ttl should not be greater than token_max_ttl')
  if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0 && role.tokenBoundCidrs.length === 0) {
    return fail(500, multierror('at least one constraint should be enabled on the role'))
  }
  mount.roles.set(name, role)
  return noContent()
}
