// Turns the output of the state script into a typed HostState, and its failures into errors that
// say what to do on that host.
import { HostFailedError, LockHeldError } from '../errors.js'
import { sanitizeRemote } from '../util/sanitize.js'
import type { ExecResult } from './exec-result.js'
import { STATE_EXIT } from './state-script.js'

// What the host has at one path.
export type PathState =
  | { kind: 'file'; sha256: string; mode: number; uid: number; gid: number }
  | { kind: 'dir'; mode: number; uid: number; gid: number }
  | { kind: 'missing' }
  // a symlink, socket or device where authctl wants a file: replaced like a missing file
  | { kind: 'other'; type: string }

// One compose service as `docker compose ps --format json` reports it.
export interface ServiceState {
  service: string
  state: string
  health: string
}

export interface HostState {
  composeVersion: string
  paths: Map<string, PathState>
  pendingRestart?: string
  secretIdAccessor?: string
  // the lines of the host's secret-id record (see steps/secret-id-record.ts)
  secretIdRecord: string[]
  services: ServiceState[]
}

function parseService(json: string): ServiceState[] {
  // compose may mix warnings into the captured output: only JSON lines count
  if (!/^\s*[[{]/.test(json)) return []
  const value: unknown = JSON.parse(json)
  // compose < 2.21 prints one JSON array, newer versions one object a line
  const list = Array.isArray(value) ? value : [value]
  return list.map((v) => {
    const o = v as Record<string, unknown>
    // docker on the host wrote these: status shows them in its table and --json
    const text = (v: unknown) => sanitizeRemote(String(v ?? ''), { maxBytes: 128 })
    return { service: text(o.Service), state: text(o.State), health: text(o.Health) }
  })
}

// Parses round trip 1; throws LockHeldError / HostFailedError for the script's refusal codes.
export function parseState(host: string, result: ExecResult): HostState {
  const lines = result.stdout.split('\n').filter((l) => l.length > 0)
  // what a host says is shown to a person: no control characters or escape sequences, bounded
  const field = (tag: string): string | undefined => {
    const raw = lines.find((l) => l.startsWith(tag + '\t'))?.slice(tag.length + 1)
    return raw === undefined ? undefined : sanitizeRemote(raw, { maxBytes: 600 })
  }
  if (result.code === STATE_EXIT.lockHeld) {
    throw new LockHeldError(`${host}: the deploy lock is held (${field('locked') || 'no details'})`, {
      hint: `Wait for that run to finish, pass --lock-wait 5m, or if it is stale clear it with: authctl lock release -l ${host}`,
    })
  }
  if (result.code === STATE_EXIT.noDocker) throw new HostFailedError(`${host}: docker is not installed`, { hint: 'Install Docker Engine with the compose plugin on the host.' })
  if (result.code === STATE_EXIT.noCompose) {
    throw new HostFailedError(`${host}: docker compose does not work: ${field('compose') ?? ''}`.trim(), {
      hint: 'Check that the Docker daemon runs and the compose v2 plugin is installed (docker compose version).',
    })
  }
  if (result.code === STATE_EXIT.noRoot) throw new HostFailedError(`${host}: cannot create the deploy root`, { hint: 'Check that /data is mounted and writable by root.' })
  if (result.code !== 0) {
    if (/sudo: .*password/.test(result.stderr)) {
      throw new HostFailedError(`${host}: sudo asks for a password`, { hint: 'authctl needs passwordless sudo for the login user (NOPASSWD in /etc/sudoers.d).' })
    }
    throw new HostFailedError(`${host}: reading the host state failed (exit ${String(result.code)}): ${sanitizeRemote(result.stderr.trim(), { maxBytes: 300 })}`)
  }
  const state: HostState = { composeVersion: field('compose-version') ?? '', paths: new Map(), services: [], secretIdRecord: [] }
  const sums = new Map<string, string>()
  const stats: string[][] = []
  for (const line of lines) {
    const [tag, ...rest] = line.split('\t')
    if (tag === 'stat' && rest.length === 5) stats.push(rest)
    else if (tag === 'sha') {
      // sha256sum prints "<64 hex>  <path>"
      const text = rest.join('\t')
      sums.set(text.slice(66), text.slice(0, 64))
    } else if (tag === 'pending' && rest.length > 0 && rest.join('\t') !== '') {
      // the host wrote it: shown in restart's events, --json and status ("agent" and "up" pass unchanged)
      state.pendingRestart = sanitizeRemote(rest.join('\t'), { maxBytes: 128 })
    } else if (tag === 'accessor') {
      state.secretIdRecord.push(rest.join('\t'))
      // the first line names the current accessor (older records hold nothing else)
      state.secretIdAccessor ??= sanitizeRemote(rest[0]?.split(' ')[0] ?? '', { maxBytes: 128 }) || undefined
    } else if (tag === 'ps') {
      state.services.push(...parseService(rest.join('\t')))
    }
  }
  // a path absent from stat's output does not exist (plan treats "no entry" as missing)
  for (const [type, mode, uid, gid, path] of stats as [string, string, string, string, string][]) {
    const owner = { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid) }
    if (type === 'directory') state.paths.set(path, { kind: 'dir', ...owner })
    else if (type.startsWith('regular')) state.paths.set(path, { kind: 'file', sha256: sums.get(path) ?? '', ...owner })
    else state.paths.set(path, { kind: 'other', type })
  }
  return state
}
