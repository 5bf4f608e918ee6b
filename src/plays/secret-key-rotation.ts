// `authctl rotate-secret-key`: the runbook's "Rotate AUTHENTIK_SECRET_KEY". A new 64-character key is
// patched into Vault with check-and-set on the version read, then every host restarts at once: HA
// instances must share one key, and sessions signed with the old one stop working (every user is logged out).
import type { EngineResult } from '../engine/run-play.js'
import { ConfigError, EXIT_CODES } from '../errors.js'
import type { Reporter } from '../output/reporter.js'
import { generateSecret } from '../secrets/generate.js'
import type { VaultClient } from '../vault/client.js'
import { casConflictError, writeRefused } from './kv-conflict.js'
import type { RestartHostResult } from './restart.js'

// The runbook's key length (`head -c 64`); Authentik wants at least 50 characters.
export const SECRET_KEY_LENGTH = 64

// What every user loses, said before and after.
export const LOGOUT_WARNING = 'every user is logged out: sessions signed with the previous key are no longer valid'

// The play's effects.
export interface SecretKeyPorts {
  vault: Pick<VaultClient, 'preflight' | 'kvRead' | 'kvPatch'>
  // every host restarted at once, each healthy with a fresh agent login
  restart(hosts: readonly string[]): Promise<EngineResult<RestartHostResult>>
  confirm(plan: readonly string[]): Promise<void>
  audit(entry: Record<string, unknown>): Promise<void>
  reporter: Reporter
}

// The config secret and the hosts.
export interface SecretKeyOptions {
  mount: string
  key: string
  display: string
  hosts: readonly string[]
}

// The --json result (never the key).
export interface SecretKeyResult {
  rotation: 'secret-key'
  status: 'rotated' | 'unfinished'
  path: string
  versions: { from: number; to: number }
  restart: { mode: 'all-at-once'; hosts: RestartHostResult[] }
  warnings: string[]
  error?: { message: string; hint?: string }
  exitCode: number
}

// Reads, asks, patches with check-and-set, restarts every host at once.
export async function rotateSecretKey(p: SecretKeyPorts, o: SecretKeyOptions): Promise<SecretKeyResult> {
  await p.vault.preflight()
  const entry = await p.vault.kvRead(o.mount, o.key)
  if (entry?.data == null) throw new ConfigError(`${o.display} ${entry ? 'is deleted or destroyed' : 'does not exist'}`, { hint: 'Create it first: authctl secrets init.' })
  const from = entry.meta.version
  const next = generateSecret(SECRET_KEY_LENGTH)
  await p.confirm([
    `Rotate AUTHENTIK_SECRET_KEY in ${o.display} (now version ${from}):`,
    `  1. generate a new ${SECRET_KEY_LENGTH}-character key`,
    `  2. patch secret_key as version ${from + 1} (check-and-set on ${from})`,
    `  3. restart ${o.hosts.join(', ')} all at once (HA instances must share the key)`,
    `Warning: ${LOGOUT_WARNING}. Schedule a maintenance window.`,
  ])
  let to: number
  try {
    to = (await p.vault.kvPatch(o.mount, o.key, { secret_key: next }, from)).version
  } catch (error) {
    throw writeRefused(error) ? casConflictError(error, o.display, from) : error
  }
  p.reporter.event('*', `wrote version ${to} of ${o.display}; restarting ${o.hosts.join(', ')} at once`)
  const restarted = await p.restart(o.hosts)
  const failed = restarted.hosts.filter((h) => h.status !== 'changed').map((h) => h.host)
  const result: SecretKeyResult = {
    rotation: 'secret-key', status: failed.length === 0 && restarted.exitCode === 0 ? 'rotated' : 'unfinished', path: o.display,
    versions: { from, to }, restart: { mode: 'all-at-once', hosts: restarted.hosts }, warnings: [LOGOUT_WARNING], exitCode: restarted.exitCode,
  }
  if (result.status === 'unfinished') {
    result.error = {
      message: `Vault holds the new key (version ${to}), but ${failed.join(', ')} did not restart healthy: they may still run with the previous key, so the instances disagree and sessions break between them`,
      hint: `Fix those hosts (see the recap), then restart them: authctl restart -l ${failed.join(',')}`,
    }
    result.exitCode ||= EXIT_CODES.hostFailed
  }
  await p.audit({ rotation: 'secret-key', status: result.status, path: o.display, fromVersion: from, toVersion: to, restarted: restarted.hosts.filter((h) => h.status === 'changed').map((h) => h.host) })
  return result
}
