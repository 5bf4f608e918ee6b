// `authctl lock status|release`: see who holds the deploy lock on each host, and clear a stale one
// left by a run that was killed (SIGKILL, a lost bastion) before it could release.
import { EXIT_CODES, HostFailedError, worstExitCode } from '../../errors.js'
import type { DeployRoot } from '../../inventory/host-path.js'
import { hostPaths } from '../../stack/host-paths.js'
import { sanitizeRemote, sanitizeRemoteValue } from '../../util/sanitize.js'
import { forceReleaseArgv, lockStatusArgv } from '../../remote/release-script.js'
import type { RemoteHost } from '../../remote/remote-host.js'
import { mapLimit } from '../../util/concurrency.js'

// A host and its deploy root, validated like every command's (inventory/host-path.ts).
export interface LockHost {
  name: string
  root: DeployRoot
}

export interface LockHostResult {
  host: string
  status: 'free' | 'held' | 'released' | 'unreachable' | 'failed'
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

// Status (release=false) or forced release (release=true) on every host, in parallel.
export async function runLock(
  hosts: readonly LockHost[],
  connect: (names: readonly string[]) => Promise<Map<string, RemoteHost | Error>>,
  opts: { release: boolean; forks: number },
): Promise<{ hosts: LockHostResult[]; exitCode: number }> {
  const conns = await connect(hosts.map((h) => h.name))
  const results = await mapLimit(hosts, opts.forks, async (h): Promise<LockHostResult> => {
    const remote = conns.get(h.name)
    if (!remote || remote instanceof Error) return { host: h.name, status: 'unreachable', error: sanitizeRemote(remote?.message ?? 'not connected', { newlines: true }) }
    const paths = hostPaths(h.root)
    const r = await remote.exec(opts.release ? forceReleaseArgv(paths) : lockStatusArgv(paths))
    if (r.code !== 0) return { host: h.name, status: 'failed', error: new HostFailedError(`${h.name}: ${sanitizeRemote(r.stderr.trim(), { newlines: true })}`).message }
    const out = r.stdout.trim()
    if (opts.release) {
      if (out === 'no lock') return { host: h.name, status: 'free' }
      const [info = ''] = out.split('\n')
      return { host: h.name, status: 'released', details: details(info) }
    }
    if (out.startsWith('held\t')) return { host: h.name, status: 'held', details: details(out.slice(5)) }
    return { host: h.name, status: 'free' }
  })
  const code = (r: LockHostResult) => (r.status === 'unreachable' ? EXIT_CODES.unreachable : r.status === 'failed' ? EXIT_CODES.hostFailed : 0)
  return { hosts: results, exitCode: worstExitCode(results.map(code)) }
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
