// Vault's built-in policies (README §3.7) and the ACL a token's policies add up to.
import { buildAcl, type Acl } from './acl.js'
import { parsePolicy } from './policy-parse.js'
import type { ServerState, StoredPolicy, TokenEntry } from './state.js'

// The `default` policy as Vault ships it (the paths authctl and the agent rely on).
export const DEFAULT_POLICY = `# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}
path "auth/token/renew-self" {
    capabilities = ["update"]
}
path "auth/token/revoke-self" {
    capabilities = ["update"]
}
path "sys/capabilities-self" {
    capabilities = ["update"]
}
path "sys/leases/renew" {
    capabilities = ["update"]
}
path "sys/leases/lookup" {
    capabilities = ["update"]
}
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}
`

// Carried by wrapping tokens only; not listed or editable.
const RESPONSE_WRAPPING = `path "cubbyhole/response" {
    capabilities = ["create", "read"]
}
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
`

// Seeds `default` into a fresh policy store.
export function builtinPolicies(): Map<string, StoredPolicy> {
  return new Map([['default', { name: 'default', text: DEFAULT_POLICY, rules: parsePolicy(DEFAULT_POLICY) }]])
}

const wrappingRules = parsePolicy(RESPONSE_WRAPPING)

// The merged ACL of a token, built from the policies as they are now (policy edits apply at once).
export function aclFor(state: ServerState, token: TokenEntry): Acl {
  if (token.policies.includes('root')) return buildAcl([], true)
  const sets = token.policies.flatMap((name) => {
    const p = state.policies.get(name)
    return p ? [p.rules] : []
  })
  if (token.wrapped) sets.push(wrappingRules)
  return buildAcl(sets)
}
