// What Vault's user lockout means for authctl's AppRole (shared/reference/rotation-facts.md): every
// host logs in with the same role-id, so a few failed logins anywhere lock all hosts out at once.
import type { UserLockoutTune } from '../../vault/auth-mounts.js'

// The effective settings and where they come from.
export interface LockoutReport {
  mount: string
  source: 'mount tune' | 'vault defaults'
  disabled: boolean
  threshold: number
  durationS: number
  counterResetS: number
}

// Vault's built-in defaults when a mount is not tuned (Vault 1.13+; a server user_lockout stanza may change them).
const DEFAULTS = { threshold: 5, durationS: 900, counterResetS: 900 }

// Fills untuned fields with Vault's defaults.
export function lockoutReport(t: UserLockoutTune, mount: string): LockoutReport {
  const tuned = t.threshold !== null || t.durationS !== null || t.counterResetS !== null || t.disabled !== null
  return {
    mount,
    source: tuned ? 'mount tune' : 'vault defaults',
    disabled: t.disabled ?? false,
    threshold: t.threshold || DEFAULTS.threshold,
    durationS: t.durationS || DEFAULTS.durationS,
    counterResetS: t.counterResetS || DEFAULTS.counterResetS,
  }
}

const minutes = (s: number) => (s % 60 === 0 ? `${s / 60}m` : `${s}s`)

// One paragraph for the operator.
export function describeLockout(r: LockoutReport): string {
  if (r.disabled) return `user lockout on auth/${r.mount}: disabled on the mount (failed logins never lock the role-id)`
  const from = r.source === 'vault defaults' ? "not tuned on the mount: Vault's defaults apply (Vault 1.13+) unless the server's user_lockout stanza changes them" : 'tuned on the mount'
  return [
    `user lockout on auth/${r.mount}: ${from}`,
    `  ${r.threshold} failed logins within ${minutes(r.counterResetS)} lock the role-id for ${minutes(r.durationS)}.`,
    '  Every host shares that one role-id: an agent retrying with a stale secret-id can lock all hosts out at once.',
  ].join('\n')
}
