// `authctl ssh-check`: connects to every selected host and reports how it was reached (user,
// address, port, jump hosts, key, host key fingerprint) and how long the handshake took.
import type { AuthctlError } from '../../errors.js'
import { forEachHost, NO_INTERRUPTS, type Interrupts } from '../../engine/for-each-host.js'
import { silentReporter } from '../../engine/reporter.js'
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

// One host's line: how it was reached, or why it was not (unreachable, or Ctrl-C before it was checked).
function reportOf(target: SshCheckTarget, outcome: SshConnection | AuthctlError): SshCheckHost {
  const base = { name: target.name, user: target.user, address: target.host, port: target.port, jumps: target.jumps }
  if (outcome instanceof Error) {
    // A connect error can quote the server (its disconnect reason, a jump host's refusal): sanitized.
    const message = sanitizeRemote(outcome.message, { newlines: true })
    const hint = outcome.hint
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

// Connects every target (the connector bounds parallelism) through the engine's read-only entry and
// reports each in inventory order; the report says every failure, so nothing else is printed.
export async function runSshCheck(targets: readonly SshCheckTarget[], connect: Connect, opts: { forks: number } = { forks: Infinity }, interrupts: Interrupts = NO_INTERRUPTS): Promise<SshCheckResult> {
  const run = await forEachHost(targets, { connect, reporter: silentReporter, signal: interrupts.signal, hardSignal: interrupts.hardSignal }, opts, async (t, { connection }) => reportOf(t, connection))
  const hosts = run.hosts.map((v, i) => (v.status === 'ok' ? v.value : reportOf(targets[i] as SshCheckTarget, v.error)))
  return { hosts, exitCode: run.exitCode }
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
