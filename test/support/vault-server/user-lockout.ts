// AppRole user lockout (Vault 1.13+, shared/reference/rotation-facts.md "User lockout"): failed logins
// are counted per mount and role-id; at the threshold the role-id is locked and Vault answers
// "permission denied" without checking credentials until the lockout duration has passed. Settings
// come from sys/auth/<path>/tune user_lockout_config and read back as user_lockout_* keys.
import { parseDurationSeconds } from './duration.js'
import { parseBool } from './route.js'
import type { AuthMount, ServerState } from './state.js'

// A mount's tuned settings (only what was tuned is set, as Vault stores them).
export interface LockoutTune {
  threshold?: number
  durationS?: number
  counterResetS?: number
  disabled?: boolean
}

// Failed logins of one role-id.
export interface LockoutCounter {
  failures: number
  lastFailureAt: number
}

// Vault's built-in defaults: 5 failures within 15 minutes lock the user out for 15 minutes.
export const LOCKOUT_DEFAULTS = { threshold: 5, durationS: 900, counterResetS: 900 } as const

function effective(state: ServerState, mount: AuthMount) {
  const t = mount.userLockout
  // The stand-in applies Vault's default only when asked (state.defaultUserLockout), so agents that
  // retry with a stale secret-id in other tests do not lock the shared role-id; a tuned mount always does.
  const enabled = t !== undefined ? t.disabled !== true : state.defaultUserLockout === true
  return {
    enabled,
    threshold: t?.threshold ?? LOCKOUT_DEFAULTS.threshold,
    durationMs: (t?.durationS ?? LOCKOUT_DEFAULTS.durationS) * 1000,
    resetMs: (t?.counterResetS ?? LOCKOUT_DEFAULTS.counterResetS) * 1000,
  }
}

// True while the role-id is locked out on this mount.
export function isLockedOut(state: ServerState, mount: AuthMount, roleId: string): boolean {
  const s = effective(state, mount)
  const c = mount.lockouts?.get(roleId)
  if (!s.enabled || !c || c.failures < s.threshold) return false
  return state.clock.now() < c.lastFailureAt + s.durationMs
}

// Records the outcome of a login that checked credentials: a success clears the counter.
export function recordLogin(state: ServerState, mount: AuthMount, roleId: string, ok: boolean): void {
  const s = effective(state, mount)
  mount.lockouts ??= new Map()
  if (ok || !s.enabled) {
    mount.lockouts.delete(roleId)
    return
  }
  const now = state.clock.now()
  const c = mount.lockouts.get(roleId)
  const stale = !c || now > c.lastFailureAt + s.resetMs || (c.failures >= s.threshold && now >= c.lastFailureAt + s.durationMs)
  mount.lockouts.set(roleId, { failures: stale ? 1 : c.failures + 1, lastFailureAt: now })
}

// The tune read's user_lockout_* keys, present only when the mount was tuned (handleTuneReadCommon).
export function lockoutTuneData(mount: AuthMount): Record<string, unknown> {
  const t = mount.userLockout
  if (t === undefined) return {}
  return {
    user_lockout_counter_reset_duration: t.counterResetS ?? 0,
    user_lockout_threshold: t.threshold ?? 0,
    user_lockout_duration: t.durationS ?? 0,
    user_lockout_disable: t.disabled ?? false,
  }
}

// Applies a tune write's user_lockout_config (strings as the API takes them); throws on bad values.
export function applyLockoutTune(mount: AuthMount, config: unknown): void {
  if (config === undefined || config === null) return
  if (typeof config !== 'object' || Array.isArray(config)) throw new Error('unable to convert given user lockout config information')
  const c = config as Record<string, unknown>
  if (Object.keys(c).length === 0) return
  if (mount.type !== 'approle') throw new Error(`tuning of user lockout configuration for auth type "${mount.type}" not allowed`)
  const t: LockoutTune = { ...mount.userLockout }
  if (c.lockout_threshold !== undefined) {
    const n = Number(c.lockout_threshold)
    if (!Number.isInteger(n) || n < 0) throw new Error(`unable to parse user lockout threshold: ${String(c.lockout_threshold)}`)
    t.threshold = n
  }
  if (c.lockout_duration !== undefined) t.durationS = c.lockout_duration === 'system' ? 0 : parseDurationSeconds(c.lockout_duration)
  if (c.lockout_counter_reset_duration !== undefined) t.counterResetS = c.lockout_counter_reset_duration === 'system' ? 0 : parseDurationSeconds(c.lockout_counter_reset_duration)
  const disable = parseBool(c.lockout_disable)
  if (disable !== undefined && disable !== null) t.disabled = disable
  mount.userLockout = t
}
