// The one table of every Vault call authctl makes: which ACL path and capabilities each VaultClient
// method needs, and which policy grants them. The operator policy (every command but bootstrap) and
// the bootstrap policy (what the token running `vault bootstrap` needs) are generated from it, and the
// type below makes a new client method without a row a compile error.
import type { VaultClient } from './client.js'

// Vault's ACL capabilities, in the order Vault's docs list them.
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'] as const
export type Capability = (typeof CAPABILITIES)[number]

// operator: setup, secrets, db and the rotations; bootstrap: policies, auth mounts and the role.
export type PolicyScope = 'operator' | 'bootstrap'

// One ACL rule. Path placeholders: {approle_mount} {role} {kv_mount} {kv_path} {policy}; `+` is one segment.
export interface PolicyRule {
  scope: PolicyScope
  path: string
  capabilities: readonly Capability[]
}

// Why no rule is needed: an endpoint without a token, Vault's `default` policy, or the wrapping token itself.
export type NoRuleReason = 'unauthenticated' | 'default policy' | 'wrapping token'

// A client method's row: its rules (none when `noRule` says why) and the command that uses it.
export interface VaultCallRow {
  why: string
  rules: readonly PolicyRule[]
  noRule?: readonly NoRuleReason[]
}

// Every VaultClient method that sends a request (withToken and addr send none).
export type VaultCallName = Exclude<keyof VaultClient, 'addr' | 'withToken'>

const op = (path: string, ...capabilities: Capability[]): PolicyRule => ({ scope: 'operator', path, capabilities })
const boot = (path: string, ...capabilities: Capability[]): PolicyRule => ({ scope: 'bootstrap', path, capabilities })
// The stack's role by name, not the runbook's `+`: a CI token must not mint secret-ids for other roles on the mount.
const ROLE = 'auth/{approle_mount}/role/{role}'
const KV_DATA = '{kv_mount}/data/{kv_path}/+'

// THE table. Add a row with each new client method; test/unit/vault/operator-policy.test.ts drives every row.
export const VAULT_CALLS: Record<VaultCallName, VaultCallRow> = {
  health: { why: 'preflight of every command: reachable, initialised, unsealed', rules: [], noRule: ['unauthenticated'] },
  preflight: { why: 'health, then lookup-self of the operator token', rules: [], noRule: ['unauthenticated', 'default policy'] },
  lookupSelf: { why: 'who runs authctl, token TTL', rules: [], noRule: ['default policy'] },
  revokeSelf: { why: 'status --login-test: revoke the token its test login got, with that token', rules: [], noRule: ['default policy'] },
  readRoleId: { why: 'setup: the role-id each host gets (runbook "Ansible Policy Requirement")', rules: [op(`${ROLE}/role-id`, 'read')] },
  createSecretId: { why: 'setup: a secret-id per host (Vault checks it as update: no existence check)', rules: [op(`${ROLE}/secret-id`, 'update')] },
  lookupSecretIdAccessor: { why: 'setup: is the host\'s recorded secret-id still valid', rules: [op(`${ROLE}/secret-id-accessor/lookup`, 'update')] },
  destroySecretIdAccessor: { why: 'setup: destroy a replaced secret-id once the host is healthy', rules: [op(`${ROLE}/secret-id-accessor/destroy`, 'update')] },
  listSecretIdAccessors: { why: 'secret-id inventory of the role', rules: [op(`${ROLE}/secret-id`, 'list')] },
  approleLogin: { why: 'checks a secret-id the way the agent logs in', rules: [], noRule: ['unauthenticated'] },
  lookupWrapping: { why: 'checks where a wrapped secret-id was created', rules: [], noRule: ['unauthenticated'] },
  unwrap: { why: 'unwraps with the wrapping token itself', rules: [], noRule: ['wrapping token'] },
  unwrapSecretId: { why: 'lookup, then unwrap, of a wrapped secret-id', rules: [], noRule: ['unauthenticated', 'wrapping token'] },
  kvRead: { why: 'secrets show, secrets init, db set-host, rotations: current values and version', rules: [op(KV_DATA, 'read')] },
  kvWrite: { why: 'secrets init (create with cas 0; --force updates), rotations', rules: [op(KV_DATA, 'create', 'update')] },
  kvPatch: { why: 'db set-host and the rotations: merge-patch one field with check-and-set', rules: [op(KV_DATA, 'patch')] },
  kvMetadata: { why: 'version history of a secret', rules: [op('{kv_mount}/metadata/{kv_path}/+', 'read')] },
  kvPatchMetadata: { why: 'the rotations: record an unfinished rotation beside the secret (custom_metadata), for every bastion', rules: [op('{kv_mount}/metadata/{kv_path}/+', 'patch')] },
  kvList: { why: 'the secrets under the folder', rules: [op('{kv_mount}/metadata/{kv_path}', 'list')] },
  readPolicy: { why: 'vault bootstrap: compare the stored policies', rules: [boot('sys/policies/acl/{policy}', 'read')] },
  writePolicy: { why: 'vault bootstrap: the read policy and the operator policy', rules: [boot('sys/policies/acl/{policy}', 'create', 'update')] },
  listAuthMounts: { why: 'vault bootstrap: is AppRole enabled', rules: [boot('sys/auth', 'read')] },
  enableAuth: { why: 'vault bootstrap: enable AppRole (sys/auth/* is root-protected: sudo)', rules: [boot('sys/auth/{approle_mount}', 'create', 'update', 'sudo')] },
  readAuthTune: { why: 'vault bootstrap: user-lockout settings (sys/mounts/auth/… needs no sudo)', rules: [boot('sys/mounts/auth/{approle_mount}/tune', 'read')] },
  readRole: { why: 'vault bootstrap: compare the role settings', rules: [boot('auth/{approle_mount}/role/{role}', 'read')] },
  writeRole: { why: 'vault bootstrap: create or update the role', rules: [boot('auth/{approle_mount}/role/{role}', 'create', 'update')] },
}

// The values the placeholders take (from the inventory); `policies` are the names bootstrap manages.
export interface PolicyVars {
  approleMount: string
  role: string
  kvMount: string
  kvPath: string
  policies: readonly string[]
}

// Expands a rule's path; {policy} yields one path per managed policy name.
export function expandPath(template: string, v: PolicyVars): string[] {
  const base = template
    .replaceAll('{approle_mount}', v.approleMount)
    .replaceAll('{role}', v.role)
    .replaceAll('{kv_mount}', v.kvMount)
    .replaceAll('{kv_path}', v.kvPath)
  return base.includes('{policy}') ? v.policies.map((p) => base.replaceAll('{policy}', p)) : [base]
}

// One HCL path block with the calls that need it, merged over all rows of the scope.
export interface PolicyBlock {
  path: string
  capabilities: Capability[]
  calls: VaultCallName[]
}

// The blocks of a scope's policy, in table order, with capabilities unioned per path.
export function policyBlocks(scope: PolicyScope, v: PolicyVars, calls: readonly VaultCallName[] = Object.keys(VAULT_CALLS) as VaultCallName[]): PolicyBlock[] {
  const blocks = new Map<string, PolicyBlock>()
  for (const name of calls) {
    for (const rule of VAULT_CALLS[name].rules) {
      if (rule.scope !== scope) continue
      for (const path of expandPath(rule.path, v)) {
        const b = blocks.get(path) ?? { path, capabilities: [], calls: [] }
        b.capabilities = CAPABILITIES.filter((c) => b.capabilities.includes(c) || rule.capabilities.includes(c))
        if (!b.calls.includes(name)) b.calls.push(name)
        blocks.set(path, b)
      }
    }
  }
  return [...blocks.values()]
}

// HCL text of path blocks, each preceded by a comment naming the calls that need it.
export function blocksHcl(header: string, blocks: readonly PolicyBlock[]): string {
  const body = blocks.map((b) => `# ${b.calls.join(', ')}\npath ${JSON.stringify(b.path)} {\n  capabilities = [${b.capabilities.map((c) => JSON.stringify(c)).join(', ')}]\n}\n`)
  return [`# ${header}\n`, ...body].join('')
}

// The operator policy bootstrap writes: the runbook's rules narrowed to the stack's role, plus exactly what authctl uses beyond them.
export function operatorPolicyHcl(v: PolicyVars): string {
  return blocksHcl('authctl operator policy, generated from src/vault/operator-policy.ts by `authctl vault bootstrap`', policyBlocks('operator', v))
}

// What the token that runs `vault bootstrap` needs (printed by --print, never written).
export function bootstrapPolicyHcl(v: PolicyVars): string {
  return blocksHcl('what the token running `authctl vault bootstrap` needs (not written by authctl)', policyBlocks('bootstrap', v))
}
