// Vault's ACL evaluation (vault/acl.go NewACL + AllowOperation + CheckAllowedFromNonExactPaths),
// re-implemented rule for rule: exact, longest glob prefix, `+` segment rules with their priority order.
import type { PathRule } from './policy-parse.js'

// Merged permissions of one stored path string.
export interface Permissions {
  capabilities: Set<string>
  minWrappingTtl: number
  maxWrappingTtl: number
}

// The three rule tables of a token's merged policies.
export interface Acl {
  root: boolean
  exact: Map<string, Permissions>
  prefix: Map<string, Permissions>
  segment: Map<string, Permissions>
}

export type Operation = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch'

// What the ACL decided for one request, with the rule that was selected (for debugging tests).
export interface AclDecision {
  allowed: boolean
  rootPrivs: boolean
  matched: string | null
}

// Merges the rules of several policies the way NewACL does (same path string → union, deny wins).
export function buildAcl(policies: PathRule[][], root = false): Acl {
  const acl: Acl = { root, exact: new Map(), prefix: new Map(), segment: new Map() }
  for (const rules of policies) {
    for (const rule of rules) {
      const table = rule.hasSegmentWildcards ? acl.segment : rule.isPrefix ? acl.prefix : acl.exact
      const existing = table.get(rule.path)
      if (!existing) {
        table.set(rule.path, { capabilities: new Set(rule.capabilities), minWrappingTtl: rule.minWrappingTtl, maxWrappingTtl: rule.maxWrappingTtl })
        continue
      }
      const caps = new Set([...existing.capabilities, ...rule.capabilities])
      existing.capabilities = caps.has('deny') ? new Set(['deny']) : caps
      if (rule.minWrappingTtl > 0 && (existing.minWrappingTtl === 0 || rule.minWrappingTtl < existing.minWrappingTtl)) existing.minWrappingTtl = rule.minWrappingTtl
      if (rule.maxWrappingTtl > existing.maxWrappingTtl) existing.maxWrappingTtl = rule.maxWrappingTtl
    }
  }
  return acl
}

// Selects the one rule for a request path (README §3.3) and checks the operation against it.
export function allowOperation(acl: Acl, path: string, op: Operation, wrapTtl: number | null = null): AclDecision {
  if (acl.root) return { allowed: true, rootPrivs: true, matched: '(root)' }
  const selected = selectRule(acl, path, op)
  if (!selected) return { allowed: false, rootPrivs: false, matched: null }
  const [matched, perms] = selected
  const caps = perms.capabilities
  const rootPrivs = caps.has('sudo')
  if (caps.has('deny')) return { allowed: false, rootPrivs: false, matched }
  let allowed = caps.has(op)
  if (allowed && perms.maxWrappingTtl > 0 && (wrapTtl === null || wrapTtl > perms.maxWrappingTtl)) allowed = false
  if (allowed && perms.minWrappingTtl > 0 && (wrapTtl === null || wrapTtl < perms.minWrappingTtl)) allowed = false
  return { allowed, rootPrivs, matched }
}

function selectRule(acl: Acl, path: string, op: Operation): [string, Permissions] | null {
  const exact = acl.exact.get(path)
  if (exact) return [path, exact]
  if (op === 'list') {
    const bare = path.replace(/\/$/, '')
    const slashless = acl.exact.get(bare)
    if (slashless) return [bare, slashless]
    if (path.endsWith('/')) {
      const found = nonExact(acl, bare)
      if (found) return found
    }
  }
  return nonExact(acl, path)
}

interface Candidate {
  firstWildcard: number
  isPrefix: boolean
  segments: number
  path: string
  key: string
  perms: Permissions
}

// CheckAllowedFromNonExactPaths: the longest glob prefix competes with every matching `+` rule.
function nonExact(acl: Acl, path: string): [string, Permissions] | null {
  const candidates: Candidate[] = []
  let best: string | null = null
  for (const key of acl.prefix.keys()) if (path.startsWith(key) && (best === null || key.length > best.length)) best = key
  if (best !== null) candidates.push({ firstWildcard: best.length, isPrefix: true, segments: 0, path: best, key: `${best}*`, perms: acl.prefix.get(best)! })
  if (acl.segment.size === 0) return candidates[0] ? [candidates[0].key, candidates[0].perms] : null

  const parts = path.split('/')
  outer: for (const [full, perms] of acl.segment) {
    if (full === '') continue
    let current = full
    const isPrefix = current.endsWith('*')
    if (isPrefix) current = current.slice(0, -1)
    const segs = current.split('/')
    if (parts.length < segs.length) continue
    if (!isPrefix && segs.length !== parts.length) continue
    let segments = 0
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!
      const part = parts[i]!
      if (seg === '+') {
        segments++
        continue
      }
      if (isPrefix && i === segs.length - 1) {
        if (!part.startsWith(seg)) continue outer
      } else if (seg !== part) continue outer
    }
    candidates.push({ firstWildcard: full.indexOf('+'), isPrefix, segments, path: current, key: full, perms })
  }
  if (candidates.length === 0) return null
  candidates.sort(lessToGreater)
  const winner = candidates[candidates.length - 1]!
  return [winner.key, winner.perms]
}

// Vault's `less`: later first wildcard, non-prefix, fewer `+`, longer, lexically larger win.
function lessToGreater(a: Candidate, b: Candidate): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1
  if (a.segments !== b.segments) return b.segments - a.segments
  if (a.path.length !== b.path.length) return a.path.length - b.path.length
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

// sys/capabilities-self: the capabilities of the rule selected for a path (["deny"] when none).
export function capabilitiesFor(acl: Acl, path: string): string[] {
  if (acl.root) return ['root']
  const exact = acl.exact.get(path)
  const perms = exact ?? nonExact(acl, path)?.[1]
  if (!perms || perms.capabilities.size === 0) return ['deny']
  return [...perms.capabilities].sort()
}
