// sys/ endpoints: auth mounts, ACL policies, wrapping, capabilities-self.
import { randomBytes } from 'node:crypto'
import { capabilitiesFor } from './acl.js'
import { aclFor } from './builtin-policies.js'
import { envelope, fail, multierror, noContent, ok, type Reply } from './envelope.js'
import { parsePolicy } from './policy-parse.js'
import { list, str, UNSUPPORTED, type Ctx, type Route } from './route.js'
import type { ServerState } from './state.js'
import { applyLockoutTune, lockoutTuneData } from './user-lockout.js'
import { unwrapRoute, wrappingLookupRoute } from './wrapping.js'

const AUTH_TYPES = new Set(['approle'])

// Resolves a sys/ path to its endpoint.
export function matchSys(_state: ServerState, path: string): Route | null {
  if (path === 'sys/auth') return { read: readAuthMounts }
  // sys/auth/:path/tune is root-protected (sys "auth/*"); sys/mounts/auth/:path/tune is not
  let m = /^sys\/(auth|mounts\/auth)\/(.+?)\/tune$/.exec(path)
  if (m) return authTuneRoute(m[2]!, m[1] === 'auth')
  m = /^sys\/auth\/(.+?)\/?$/.exec(path)
  if (m) return authMountRoute(m[1]!)
  if (path === 'sys/policies/acl' || path === 'sys/policies/acl/') return { list: listPolicies }
  m = /^sys\/policies\/acl\/([^/]+)$/.exec(path)
  if (m) return policyRoute(m[1]!)
  if (path === 'sys/wrapping/unwrap') return unwrapRoute
  if (path === 'sys/wrapping/lookup') return wrappingLookupRoute
  if (path === 'sys/capabilities-self') return { write: capabilitiesSelf }
  return path.startsWith('sys/') ? UNSUPPORTED : null
}

function mountView(state: ServerState): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'token/': { accessor: 'auth_token_00000000', type: 'token', description: 'token based credentials', config: { default_lease_ttl: 0, max_lease_ttl: 0, token_type: 'default-service' }, local: false, seal_wrap: false, options: null },
  }
  for (const [path, m] of state.authMounts) {
    out[path] = { accessor: m.accessor, type: m.type, description: m.description, config: { default_lease_ttl: 0, max_lease_ttl: 0, token_type: 'default-service' }, local: false, seal_wrap: false, options: null }
  }
  return out
}

// GET sys/auth: on the inject-into-top-level list, so mounts appear under data and at top level.
function readAuthMounts(ctx: Ctx): Reply {
  const mounts = mountView(ctx.state)
  return { status: 200, body: { ...mounts, ...envelope({ data: mounts, mountType: 'system' }) } }
}

function authMountRoute(name: string): Route {
  const key = `${name}/`
  return {
    sudo: true,
    read: (ctx) => {
      const m = mountView(ctx.state)[key]
      return m ? ok(m, 'system') : fail(400, `No auth engine at ${key}`)
    },
    write: (ctx) => {
      const type = str(ctx.body, 'type') ?? ''
      if (ctx.state.authMounts.has(key) || key === 'token/') return fail(400, `path is already in use at ${key}`)
      if (!AUTH_TYPES.has(type)) return fail(400, `plugin not found in the catalog: ${type}`)
      ctx.state.authMounts.set(key, { type, description: str(ctx.body, 'description') ?? '', accessor: `auth_${type}_${randomBytes(4).toString('hex')}`, roles: new Map() })
      return noContent()
    },
    delete: (ctx) => {
      ctx.state.authMounts.delete(key)
      return noContent()
    },
  }
}

function authTuneRoute(name: string, sudo: boolean): Route {
  const key = `${name}/`
  return {
    sudo,
    read: (ctx) => {
      const m = ctx.state.authMounts.get(key)
      if (!m) return fail(400, `cannot fetch mount entry for path "auth/${key}"`)
      const data = { description: m.description, default_lease_ttl: 2764800, max_lease_ttl: 2764800, force_no_cache: false, token_type: 'default-service', ...lockoutTuneData(m) }
      // sys/auth/ and sys/mounts/ are on the inject-into-top-level list
      return { status: 200, body: { ...data, ...envelope({ data, mountType: 'system' }) } }
    },
    write: (ctx) => {
      const m = ctx.state.authMounts.get(key)
      if (!m) return fail(400, `tune of path "auth/${key}" failed: no mount entry found`)
      try {
        applyLockoutTune(m, ctx.body.user_lockout_config)
      } catch (e) {
        return fail(400, (e as Error).message)
      }
      if (typeof ctx.body.description === 'string') m.description = ctx.body.description
      return noContent()
    },
  }
}

function listPolicies(ctx: Ctx): Reply {
  const keys = [...ctx.state.policies.keys(), 'root'].sort()
  return { status: 200, body: { ...envelope({ data: { keys, policies: keys }, mountType: 'system' }) } }
}

function policyRoute(rawName: string): Route {
  const name = rawName.toLowerCase()
  return {
    exists: (ctx) => ctx.state.policies.has(name),
    read: (ctx) => {
      if (name === 'root') return ok({ name: 'root', policy: '' }, 'system')
      const p = ctx.state.policies.get(name)
      return p ? ok({ name: p.name, policy: p.text }, 'system') : fail(404)
    },
    write: (ctx) => {
      if (name === 'root') return fail(400, 'cannot update "root" policy')
      let text = str(ctx.body, 'policy') ?? ''
      if (text.trim() === '') return fail(400, "'policy' parameter not supplied or empty")
      text = maybeBase64(text)
      try {
        ctx.state.policies.set(name, { name, text, rules: parsePolicy(text) })
      } catch (e) {
        return fail(400, (e as Error).message)
      }
      return noContent()
    },
    delete: (ctx) => {
      if (name === 'root' || name === 'default') return fail(400, `cannot delete "${name}" policy`)
      ctx.state.policies.delete(name)
      return noContent()
    },
  }
}

// The API accepts a base64-encoded policy to spare callers the escaping.
function maybeBase64(text: string): string {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text) || text.includes('{')) return text
  const decoded = Buffer.from(text, 'base64').toString('utf8')
  return /path\s+"/.test(decoded) || decoded.trim().startsWith('{') ? decoded : text
}

// POST sys/capabilities-self {paths:[…]} — what `vault token capabilities <path>` calls.
function capabilitiesSelf(ctx: Ctx): Reply {
  const paths = list(ctx.body, 'paths') ?? list(ctx.body, 'path') ?? []
  if (paths.length === 0) return fail(400, multierror('missing paths'))
  const acl = aclFor(ctx.state, ctx.token!)
  const data: Record<string, string[]> = {}
  for (const p of paths) data[p.replace(/^\//, '')] = capabilitiesFor(acl, p.replace(/^\//, ''))
  const first = data[paths[0]!.replace(/^\//, '')]
  if (paths.length === 1 && first) data.capabilities = first
  return { status: 200, body: { ...data, ...envelope({ data, mountType: 'system' }) } }
}
