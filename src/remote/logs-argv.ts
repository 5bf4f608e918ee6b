// `docker compose logs` on a host as data. A follow (-f) runs inside a small wrapper that stops the
// follower when its stdin reaches EOF, so closing our end (Ctrl-C, or a dropped connection) ends it
// on the host too: nothing keeps following after authctl is gone.
import { composeArgv } from './compose.js'
import type { HostPaths } from '../stack/host-paths.js'
import { rootScript, sudo } from './sudo.js'

// The compose services whose logs may be asked for.
export const LOG_SERVICES = ['vault-agent', 'server', 'worker'] as const

// One of LOG_SERVICES.
export type LogService = (typeof LOG_SERVICES)[number]

// What to ask docker compose logs for.
export interface LogsRequest {
  paths: HostPaths
  project: string
  services: readonly LogService[]
  // last N lines per service (undefined: all that match --since)
  tail?: number
  // docker's --since: a Go duration before now ("600s") or an RFC 3339 time
  since?: string
  follow: boolean
}

// Runs the follower in the background and our stdin (saved as fd 3: a background job's stdin is
// /dev/null) in `cat`; when cat sees EOF the follower is killed. A follower that ends by itself
// ends the command; the helper then only waits for the channel to close. The shell's own
// "Terminated" notice is dropped (the follower's stderr still comes through).
export const FOLLOW_SCRIPT = `exec 3<&0
"$@" &
p=$!
{ cat <&3 >/dev/null 2>&1; kill "$p" 2>/dev/null; } >/dev/null 2>&1 &
wait "$p" 2>/dev/null
`

// The argv that prints (or follows) the logs, as root (the login user is not in group docker).
export function logsArgv(req: LogsRequest): string[] {
  const args = ['logs', '--no-color']
  if (req.tail !== undefined) args.push('--tail', String(req.tail))
  if (req.since !== undefined) args.push('--since', req.since)
  if (req.follow) args.push('--follow')
  const docker = composeArgv(req.paths, req.project, [...args, ...req.services])
  return req.follow ? rootScript('authctl-logs', FOLLOW_SCRIPT, docker) : sudo(docker)
}
