// AppRole login and role-id endpoints (path_login.go, path_role.go role-id).
import { liveRole } from './approle-secret-id.js'
import { ipAllowed } from './cidr.js'
import { envelope, fail, noContent, ok, PERMISSION_DENIED, type Reply } from './envelope.js'
import { str, type Ctx } from './route.js'
import type { AuthMount } from './state.js'
import { authBlock, issueToken } from './tokens.js'
import { isLockedOut, recordLogin } from './user-lockout.js'

const INVALID = 'invalid role or secret ID'

// POST login: the same error for an unknown role_id and a bad/expired/used-up secret_id.
export function login(ctx: Ctx, mount: AuthMount, loginPath: string): Reply {
  const roleId = str(ctx.body, 'role_id')
  if (!roleId) return fail(400, 'missing role_id')
  // the core checks the lockout before the backend sees the credentials
  if (isLockedOut(ctx.state, mount, roleId)) return fail(403, PERMISSION_DENIED)
  const reply = checkLogin(ctx, mount, loginPath, roleId)
  if (reply.status === 200 || (reply.body as { errors?: string[] } | undefined)?.errors?.[0] === INVALID) recordLogin(ctx.state, mount, roleId, reply.status === 200)
  return reply
}

function checkLogin(ctx: Ctx, mount: AuthMount, loginPath: string, roleId: string): Reply {
  const found = [...mount.roles.values()].find((r) => r.roleId === roleId)
  const role = found ? liveRole(ctx.state, mount, found.name) : undefined
  if (!role) return fail(400, INVALID)
  if (role.bindSecretId) {
    const secretId = str(ctx.body, 'secret_id')
    if (!secretId) return fail(400, 'missing secret_id')
    const entry = role.secretIds.get(secretId)
    if (!entry) return fail(400, INVALID)
    if (!ipAllowed(ctx.remoteAddress, entry.cidrList)) {
      return fail(400, `source address "${ctx.remoteAddress}" unauthorized through CIDR restrictions on the secret ID`)
    }
    if (entry.numUses > 0) {
      if (entry.numUses === 1) role.secretIds.delete(secretId)
      else {
        entry.numUses -= 1
        entry.lastUpdatedTime = ctx.state.clock.now()
      }
    }
  }
  if (!ipAllowed(ctx.remoteAddress, role.secretIdBoundCidrs)) {
    return fail(400, `source address "${ctx.remoteAddress}" unauthorized through CIDR restrictions on the role`)
  }
  const token = issueToken(ctx.state, {
    policies: role.tokenPolicies,
    path: loginPath,
    displayName: 'approle',
    meta: { role_name: role.name },
    ttl: role.tokenPeriod > 0 ? role.tokenPeriod : role.tokenTtl,
    maxTtl: role.tokenPeriod > 0 ? 0 : role.tokenMaxTtl,
    explicitMaxTtl: role.tokenExplicitMaxTtl,
    numUses: role.tokenNumUses,
    noDefaultPolicy: role.tokenNoDefaultPolicy,
  })
  return { status: 200, body: envelope({ auth: authBlock(token), mountType: 'approle' }) }
}

// GET role/:name/role-id.
export function readRoleId(mount: AuthMount, name: string, _ctx: Ctx): Reply {
  const role = mount.roles.get(name.toLowerCase())
  return role ? ok({ role_id: role.roleId }, 'approle') : fail(404)
}

// POST role/:name/role-id {role_id}: a custom role-id.
export function writeRoleId(mount: AuthMount, name: string, ctx: Ctx): Reply {
  const role = mount.roles.get(name.toLowerCase())
  if (!role) return fail(400, `role "${name}" does not exist`)
  const roleId = str(ctx.body, 'role_id')
  if (!roleId) return fail(400, 'missing role_id')
  role.roleId = roleId
  return noContent()
}
