// `authctl vault bootstrap`: the runbook's Steps 1–2 and its "Ansible Policy Requirement" as one
// idempotent run. Each object is compared with what Vault holds and reported unchanged, created or
// updated; nothing is written under --check or without confirmation.
import { createTwoFilesPatch } from 'diff'
import { VaultError } from '../../errors.js'
import type { AuthctlVars } from '../../inventory/authctl-vars.js'
import type { RoleSettings } from '../../vault/approle-role.js'
import { agentReadPolicyHcl } from '../../vault/agent-policy.js'
import { DEFAULT_APPROLE_MOUNT } from '../../vault/approle.js'
import { bootstrapPolicyHcl, operatorPolicyHcl } from '../../vault/operator-policy.js'
import { describeLockout, lockoutReport, type LockoutReport } from './lockout-report.js'
import { policyVarsOf, type VaultPorts } from '../../wiring/vault-ports.js'

// One Vault object and what happened (or, under --check, would happen) to it.
export interface BootstrapObject {
  kind: 'policy' | 'auth-mount' | 'approle-role'
  name: string
  status: 'unchanged' | 'created' | 'updated'
  diff?: string
  changes?: { field: string; from: string; to: string }[]
}

// The --json result.
export interface BootstrapResult {
  check: boolean
  vault: string
  objects: BootstrapObject[]
  userLockout: LockoutReport | null
  exitCode: number
}

// A policy as --print shows it.
export interface PrintedPolicy {
  name: string
  written: boolean
  hcl: string
}

interface Step {
  object: BootstrapObject
  apply(): Promise<void>
}

// The three policies as HCL: the two bootstrap writes and the one its own token needs.
export function bootstrapPolicies(vars: AuthctlVars): PrintedPolicy[] {
  const pv = policyVarsOf(vars)
  return [
    { name: vars.vaultReadPolicy, written: true, hcl: agentReadPolicyHcl(vars.vaultKvMount, vars.vaultKvPath) },
    { name: vars.vaultOperatorPolicy, written: true, hcl: operatorPolicyHcl(pv) },
    { name: 'authctl-bootstrap (for the token running bootstrap)', written: false, hcl: bootstrapPolicyHcl(pv) },
  ]
}

const ROLE_FIELDS: ReadonlyArray<[keyof RoleSettings, string]> = [
  ['tokenPolicies', 'token_policies'], ['tokenTtl', 'token_ttl'], ['tokenMaxTtl', 'token_max_ttl'], ['secretIdTtl', 'secret_id_ttl'], ['secretIdNumUses', 'secret_id_num_uses'],
]

function show(field: keyof RoleSettings, v: RoleSettings[keyof RoleSettings]): string {
  if (Array.isArray(v)) return [...v].sort().join(',')
  return field === 'secretIdNumUses' ? String(v) : `${v}s`
}

async function policyStep(p: VaultPorts, name: string, text: string): Promise<Step> {
  const current = await p.vault.readPolicy(name)
  const status = current === null ? 'created' : current === text ? 'unchanged' : 'updated'
  const diff = status === 'updated' ? createTwoFilesPatch(name, name, current ?? '', text, 'in Vault', 'generated') : undefined
  return { object: { kind: 'policy', name, status, diff }, apply: () => p.vault.writePolicy(name, text) }
}

async function mountStep(p: VaultPorts): Promise<Step> {
  const mount = (await p.vault.listAuthMounts())[DEFAULT_APPROLE_MOUNT]
  if (mount && mount.type !== 'approle') {
    throw new VaultError(`auth/${DEFAULT_APPROLE_MOUNT} is an auth method of type ${mount.type}, not approle`, { hint: 'Move that auth method elsewhere (vault auth move) or ask the Vault administrators.' })
  }
  return { object: { kind: 'auth-mount', name: `${DEFAULT_APPROLE_MOUNT}/`, status: mount ? 'unchanged' : 'created' }, apply: () => p.vault.enableAuth(DEFAULT_APPROLE_MOUNT, 'approle', 'AppRole for Authentik (authctl)') }
}

async function roleStep(p: VaultPorts, role: string, want: RoleSettings, mountExists: boolean): Promise<Step> {
  const current = mountExists ? await p.vault.readRole(role) : null
  const changes = current === null ? [] : ROLE_FIELDS.filter(([f]) => show(f, current[f]) !== show(f, want[f])).map(([f, name]) => ({ field: name, from: show(f, current[f]), to: show(f, want[f]) }))
  const status = current === null ? 'created' : changes.length ? 'updated' : 'unchanged'
  return { object: { kind: 'approle-role', name: role, status, changes: status === 'updated' ? changes : undefined }, apply: () => p.vault.writeRole(role, want) }
}

function planLine(o: BootstrapObject): string {
  const what = { policy: 'policy', 'auth-mount': 'auth method', 'approle-role': 'AppRole role' }[o.kind]
  const verb = o.status === 'created' ? 'create' : 'update'
  const detail = o.changes?.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ')
  return `${verb} ${what} ${o.name}${detail ? ` (${detail})` : ''}`
}

// Reads everything, reports, and (unless check) asks once and writes what differs, in dependency order.
export async function runBootstrap(p: VaultPorts, vars: AuthctlVars, opts: { check: boolean }): Promise<BootstrapResult> {
  await p.vault.preflight()
  const [readPolicy, operatorPolicy] = bootstrapPolicies(vars)
  const mount = await mountStep(p)
  const steps = [
    await policyStep(p, readPolicy!.name, readPolicy!.hcl),
    mount,
    await roleStep(p, vars.vaultApprole, vars.approle, mount.object.status === 'unchanged'),
    await policyStep(p, operatorPolicy!.name, operatorPolicy!.hcl),
  ]
  const pending = steps.filter((s) => s.object.status !== 'unchanged')
  if (!opts.check && pending.length > 0) {
    await p.confirm(pending.map((s) => planLine(s.object)))
    for (const s of pending) {
      await s.apply()
      await p.audit({ object: `${s.object.kind} ${s.object.name}`, status: s.object.status, fields: s.object.changes?.map((c) => c.field) })
    }
  }
  const mountReady = mount.object.status === 'unchanged' || !opts.check
  const userLockout = mountReady ? lockoutReport(await p.vault.readAuthTune(DEFAULT_APPROLE_MOUNT), DEFAULT_APPROLE_MOUNT) : null
  return { check: opts.check, vault: p.vault.addr, objects: steps.map((s) => s.object), userLockout, exitCode: 0 }
}

// The human report: one line per object, policy diffs, then the lockout warning.
export function formatBootstrap(r: BootstrapResult): string {
  const would = (s: string) => (r.check && s !== 'unchanged' ? `would be ${s}` : s)
  const lines = r.objects.map((o) => `${`${o.kind} ${o.name}`.padEnd(48)} ${would(o.status)}${o.changes ? `: ${o.changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ')}` : ''}`)
  for (const o of r.objects) if (o.diff) lines.push(o.diff.trimEnd())
  lines.push(r.userLockout ? describeLockout(r.userLockout) : 'user lockout: auth/approle is not enabled yet; run without --check to see its settings')
  return lines.join('\n') + '\n'
}
