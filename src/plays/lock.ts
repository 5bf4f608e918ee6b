// `authctl lock status|release`: see who holds the deploy lock on each host, and clear a stale one
// left by a run that was killed (SIGKILL, a lost bastion) before it could release.
import { EXIT_CODES, HostFailedError, worstExitCode } from '../errors.js'
import type { DeployRoot } from '../inventory/host-path.js'
import { hostPaths } from '../remote/paths.js'
import { forceReleaseCommand, lockStatusCommand } from '../remote/release-script.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { mapLimit } from '../steps/concurrency.js'

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

function details(text: string): Record<string, unknown> | string {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return text
  }
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
    if (!remote || remote instanceof Error) return { host: h.name, status: 'unreachable', error: remote?.message ?? 'not connected' }
    const paths = hostPaths(h.root)
    const r = await remote.exec(opts.release ? forceReleaseCommand(paths) : lockStatusCommand(paths))
    if (r.code !== 0) return { host: h.name, status: 'failed', error: new HostFailedError(`${h.name}: ${r.stderr.trim()}`).message }
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

// One line per host for people.
export function formatLockResults(results: readonly LockHostResult[]): string {
  return results
    .map((r) => {
      const d = r.details === undefined ? '' : typeof r.details === 'string' ? ` ${r.details}` : ` by ${String(r.details.who ?? '?')} (pid ${String(r.details.pid ?? '?')}, since ${String(r.details.since ?? '?')}, ${String(r.details.command ?? '')})`
      return `${r.host}  ${r.status}${d}${r.error ? `  ${r.error}` : ''}`
    })
    .join('\n') + '\n'
}
