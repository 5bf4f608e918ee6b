// What both a fresh rotation and --resume do the same way: read a version of the database secret, build
// the result, reach the database, and describe steps 4–6 for the confirmation.
import type { DbEndpoint, DbPasswordChanger } from '../../db/db-types.js'
import { parseDatabaseSecret, secretEndpoint, type DatabaseSecret } from '../../db/secret-endpoint.js'
import { ConfigError } from '../../errors.js'
import type { ChangerSpec, DbRotationOptions, DbRotationPorts, DbRotationResult } from './types.js'

// The secret at its current (or a given) version; a missing or deleted one is a ConfigError.
export async function readSecret(p: DbRotationPorts, o: DbRotationOptions, version?: number): Promise<{ version: number; secret: DatabaseSecret }> {
  const entry = await p.vault.kvRead(o.mount, o.key, version)
  const which = version === undefined ? o.display : `${o.display} version ${version}`
  if (entry?.data == null) throw new ConfigError(`${which} ${entry ? 'is deleted or destroyed' : 'does not exist'}`, { hint: 'Create it first: authctl secrets init (and db set-host).' })
  return { version: entry.meta.version, secret: parseDatabaseSecret(entry.data, which) }
}

// The empty result a run fills in.
export function newResult(o: DbRotationOptions, p: DbRotationPorts, method: 'rds' | 'sql', from: number, resumed: boolean): DbRotationResult {
  return {
    rotation: 'db-password', status: 'unfinished', resumed, path: o.display, method, target: '', via: o.via ?? null,
    versions: { from, to: null, rollback: null }, database: { newPasswordLogsIn: null, oldPasswordRefused: null }, steps: [],
    restart: { mode: o.restart ? 'rolling' : 'skipped', hosts: [] }, owed: [], journal: p.journal.path, warnings: [], exitCode: 0,
  }
}

// The endpoint over the chosen route and a changer for it, logging in (for SQL) with `secret`'s password.
export async function connectDatabase(p: DbRotationPorts, o: DbRotationOptions, spec: ChangerSpec, secret: DatabaseSecret): Promise<{ endpoint: DbEndpoint; changer: DbPasswordChanger }> {
  const endpoint = secretEndpoint(secret, o.tls, await p.route(o.via))
  return { endpoint, changer: p.changer(spec, endpoint, { user: secret.user, password: secret.password }) }
}

// What the operator agrees to, one line per step (no secrets).
export function changeLines(o: DbRotationOptions, spec: ChangerSpec, target: string, where: string): string[] {
  return [
    `  4. change it: ${spec.method === 'rds' ? `ModifyDBInstance on ${target}, then wait until RDS has applied it` : `ALTER ROLE on ${target}`}`,
    `  5. log in with it as ${where}`,
    o.restart ? `  6. restart ${o.hosts.join(', ')} ${o.rollout}, each healthy with a fresh agent login before the next` : '  6. no restart (--no-restart): server and worker keep the previous password until restarted',
  ]
}

