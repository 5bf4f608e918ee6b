// `authctl lock status|release`: see who holds the deploy lock on each host, and clear a stale one
// left by a run that was killed (SIGKILL, a lost bastion) before it could release.
import { HostFailedError } from '../../errors.js'
import { forEachHost, NO_INTERRUPTS, type HostVisit, type Interrupts } from '../../engine/for-each-host.js'
import { silentReporter } from '../../engine/reporter.js'
import { EXEC_DEFAULTS } from '../../remote/exec-result.js'
import type { DeployRoot } from '../../inventory/host-path.js'
import { hostPaths } from '../../stack/host-paths.js'
import { sanitizeRemote, sanitizeRemoteValue } from '../../util/sanitize.js'
import { forceReleaseArgv, lockStatusArgv } from '../../remote/release-script.js'
import type { RemoteHost } from '../../remote/remote-host.js'

// A host and its deploy root, validated like every command's (inventory/host-path.ts).
export interface LockHost {
  name: string
  root: DeployRoot
}

export interface LockHostResult {
  host: string
  // interrupted: Ctrl-C came before this host was read (or a second one while it was)
  status: 'free' | 'held' | 'released' | 'unreachable' | 'failed' | 'interrupted'
  details?: Record<string, unknown> | string
  error?: string
}

// The lock's details.json as the host sent it: any host can write anything there, so every string is
// sanitized before it reaches the screen or --json; what is not a JSON object is shown as text.
function details(text: string): Record<string, unknown> | string {
  let parsed: unknown
  try {
    parsed = sanitizeRemoteValue(JSON.parse(text))
  } catch {
    parsed = undefined
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  return sanitizeRemote(text)
}

// The longest one host may take: one command, bounded at EXEC_DEFAULTS.timeoutMs by the transport, and its answer.
const HOST_TIMEOUT_MS = EXEC_DEFAULTS.timeoutMs + 10_000

// Status (release=false) or forced release (release=true) on every host, in parallel, run by the
// engine's read-only entry; the table (formatLockResults) says every failure, so nothing else is printed.
export async function runLock(
  hosts: readonly LockHost[],
  connect: (names: readonly string[]) => Promise<Map<string, RemoteHost | Error>>,
  opts: { release: boolean; forks: number },
  interrupts: Interrupts = NO_INTERRUPTS,
): Promise<{ hosts: LockHostResult[]; exitCode: number }> {
  const run = await forEachHost(hosts, { connect, reporter: silentReporter, signal: interrupts.signal, hardSignal: interrupts.hardSignal }, { forks: opts.forks, hostTimeoutMs: HOST_TIMEOUT_MS }, async (h, { remote }): Promise<LockHostResult> => {
    const paths = hostPaths(h.root)
    const r = await remote.exec(opts.release ? forceReleaseArgv(paths) : lockStatusArgv(paths))
    if (r.code !== 0) throw new HostFailedError(`${h.name}: ${sanitizeRemote(r.stderr.trim(), { newlines: true })}`)
    const out = r.stdout.trim()
    if (opts.release) {
      if (out === 'no lock') return { host: h.name, status: 'free' }
      const [info = ''] = out.split('\n')
      return { host: h.name, status: 'released', details: details(info) }
    }
    if (out.startsWith('held\t')) return { host: h.name, status: 'held', details: details(out.slice(5)) }
    return { host: h.name, status: 'free' }
  })
  return { hosts: run.hosts.map(lockResult), exitCode: run.exitCode }
}

// A host the engine could not visit to the end, in the lock table's terms (the message may quote the host).
function lockResult(v: HostVisit<LockHostResult>): LockHostResult {
  if (v.status === 'ok') return v.value
  return { host: v.host, status: v.status, error: sanitizeRemote(v.error.message, { newlines: true }) }
}

// A lock detail as one line of text: it came from a host, so it is sanitized again right where it is printed.
const shown = (value: unknown, fallback = '?'): string => sanitizeRemote(value === undefined || value === null ? fallback : typeof value === 'string' ? value : JSON.stringify(value), { maxBytes: 1024 })

// One line per host for people.
export function formatLockResults(results: readonly LockHostResult[]): string {
  return results
    .map((r) => {
      const d = r.details === undefined ? '' : typeof r.details === 'string' ? ` ${shown(r.details)}` : ` by ${shown(r.details.who)} (pid ${shown(r.details.pid)}, since ${shown(r.details.since)}, ${shown(r.details.command, '')})`
      return `${r.host}  ${r.status}${d}${r.error ? `  ${sanitizeRemote(r.error, { newlines: true })}` : ''}`
    })
    .join('\n') + '\n'
}
