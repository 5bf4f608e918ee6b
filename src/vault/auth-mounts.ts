// Auth methods (sys/auth): which are enabled, enabling one, and reading a mount's tuning, where Vault
// 1.13+ reports the per-mount user-lockout settings.
import { vaultPath } from './paths.js'
import { asObject, dataOf } from './shape.js'
import type { VaultTransport } from './http-transport.js'

// One enabled auth method, keyed by its path without the trailing slash.
export interface AuthMount {
  type: string
  accessor: string
  description: string
}

// A mount's user-lockout settings as tuned on it; null fields were not tuned (the server's defaults apply).
export interface UserLockoutTune {
  threshold: number | null
  durationS: number | null
  counterResetS: number | null
  disabled: boolean | null
}

// GET sys/auth → {"approle": {...}}; mount paths lose their trailing slash.
export async function listAuthMounts(t: VaultTransport): Promise<Record<string, AuthMount>> {
  const r = await t.send({ method: 'GET', path: 'sys/auth' })
  const body = asObject(r.body, 'sys/auth')
  // sys/auth is injected at the top level too; data is the documented place
  const mounts = body.data && typeof body.data === 'object' ? dataOf(body, 'sys/auth') : body
  const out: Record<string, AuthMount> = {}
  for (const [key, value] of Object.entries(mounts)) {
    if (!key.endsWith('/') || typeof value !== 'object' || value === null) continue
    const m = value as Record<string, unknown>
    out[key.slice(0, -1)] = { type: String(m.type ?? ''), accessor: String(m.accessor ?? ''), description: String(m.description ?? '') }
  }
  return out
}

// POST sys/auth/:path (root-protected: the token needs sudo there).
export async function enableAuth(t: VaultTransport, path: string, type: string, description: string): Promise<void> {
  await t.send({ method: 'POST', path: vaultPath('sys', 'auth', path), body: { type, description }, capability: 'create/update + sudo' })
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null
}

// GET sys/mounts/auth/:path/tune: the same data as sys/auth/:path/tune, without needing sudo.
export async function readAuthTune(t: VaultTransport, path: string): Promise<UserLockoutTune> {
  const p = vaultPath('sys', 'mounts', 'auth', path, 'tune')
  const r = await t.send({ method: 'GET', path: p })
  const d = dataOf(r.body, p)
  return {
    threshold: numberOrNull(d.user_lockout_threshold),
    durationS: numberOrNull(d.user_lockout_duration),
    counterResetS: numberOrNull(d.user_lockout_counter_reset_duration),
    disabled: typeof d.user_lockout_disable === 'boolean' ? d.user_lockout_disable : null,
  }
}
