// `authctl ssh-check`: connects to every selected host and reports how it was reached (user,
// address, port, jump hosts, key, host key fingerprint) and how long the handshake took.
import { EXIT_CODES, type AuthctlError } from '../../errors.js'
import { sanitizeRemote } from '../../util/sanitize.js'
import type { ReachInfo, SshConnection } from '../../transport/ssh-types.js'

// What the check knows of a host before connecting, from the resolved ssh settings.
export interface SshCheckTarget {
  name: string
  user: string
  host: string
  port: number
  jumps: string[]
}

// One host's line of the report; the --json shape (pinned by a test).
export interface SshCheckHost {
  name: string
  reachable: boolean
  user: string
  address: string
  port: number
  jumps: string[]
  auth: ReachInfo['auth'] | null
  hostKeyFingerprint: string | null
  hostKeyVerified: boolean | null
  handshakeMs: number | null
  error: { message: string; hint: string | null } | null
}

// The whole report and the exit code: 4 when any host is unreachable.
export interface SshCheckResult {
  hosts: SshCheckHost[]
  exitCode: number
}

type Connect = (names: readonly string[]) => Promise<Map<string, SshConnection | Error>>

function reportOf(target: SshCheckTarget, outcome: SshConnection | Error | undefined): SshCheckHost {
  const base = { name: target.name, user: target.user, address: target.host, port: target.port, jumps: target.jumps }
  if (outcome === undefined || outcome instanceof Error) {
    // A connect error can quote the server (its disconnect reason, a jump host's refusal): sanitized.
    const message = sanitizeRemote(outcome?.message ?? 'not connected', { newlines: true })
    const hint = (outcome as AuthctlError | undefined)?.hint
    return { ...base, reachable: false, auth: null, hostKeyFingerprint: null, hostKeyVerified: null, handshakeMs: null, error: { message, hint: hint === undefined ? null : sanitizeRemote(hint) } }
  }
  const reach = outcome.reach
  return {
    ...base,
    ...(reach ? { user: reach.user, address: reach.host, port: reach.port, jumps: reach.jumps } : {}),
    reachable: true,
    auth: reach?.auth ?? null,
    hostKeyFingerprint: outcome.hostKeyFingerprint,
    hostKeyVerified: reach?.hostKeyVerified ?? null,
    handshakeMs: outcome.handshakeMs,
    error: null,
  }
}

// Connects all targets at once (the connector bounds parallelism) and reports each in inventory order.
export async function runSshCheck(targets: readonly SshCheckTarget[], connect: Connect): Promise<SshCheckResult> {
  const outcomes = await connect(targets.map((t) => t.name))
  const hosts = targets.map((t) => reportOf(t, outcomes.get(t.name)))
  return { hosts, exitCode: hosts.every((h) => h.reachable) ? EXIT_CODES.ok : EXIT_CODES.unreachable }
}

function authText(auth: SshCheckHost['auth']): string {
  if (!auth) return 'key ?'
  return auth.method === 'agent' ? `ssh-agent ${auth.socket}` : `key ${auth.file}`
}

// The human report: one line per host, the error (and hint) under an unreachable one.
export function formatSshCheck(hosts: readonly SshCheckHost[]): string {
  const width = Math.max(...hosts.map((h) => h.name.length), 4)
  const lines = hosts.map((h) => {
    const where = `${h.user}@${h.address}:${h.port}${h.jumps.length > 0 ? ` via ${h.jumps.join(' -> ')}` : ''}`
    if (!h.reachable) {
      const hint = h.error?.hint ? `\n${' '.repeat(width + 2)}hint: ${sanitizeRemote(h.error.hint)}` : ''
      return `${h.name.padEnd(width)}  UNREACHABLE  ${where}\n${' '.repeat(width + 2)}${sanitizeRemote(h.error?.message ?? '', { newlines: true })}${hint}`
    }
    const key = `${h.hostKeyFingerprint ?? ''}${h.hostKeyVerified === false ? ' (NOT verified)' : ''}`
    return `${h.name.padEnd(width)}  ok  ${where}  ${authText(h.auth)}  host key ${key}  ${h.handshakeMs ?? '?'} ms`
  })
  return `${lines.join('\n')}\n`
}
