// `authctl status` in one round trip per host, read-only (never takes the lock): the lock and its age,
// the state of every deployed path, the pending restart and recorded accessor, the compose services,
// whether the agent rendered .env into a tmpfs, and the agent's recent login lines. Everything is
// reported as tagged lines and the script exits 0, so one failing probe never hides the others.
import type { HostPaths } from '../stack/host-paths.js'
import { DOCKER_TIMEOUT_S } from './state-script.js'
import { rootScript } from './sudo.js'

// How many of the agent's most recent log lines are searched for logins and login errors.
export const AGENT_LOG_LINES = 500

// The agent's login lines (reference authentik-compose.md §3; old agents omit "agent."), its start
// banner, and the "  | " continuation lines of a multi-line error value, at most 300 lines.
const AGENT_FILTER = `awk '
/==> Vault [Aa]gent started/ { keep = 0; print "agent\\t" $0; next }
/\\[(INFO|ERROR)\\] +(agent\\.)?auth\\.handler: (authentication successful|error)/ { keep = /\\[ERROR\\]/; print "agent\\t" $0; next }
keep && /^  / { print "agent+\\t" $0; next }
{ keep = 0 }' | tail -n 300`

// $1 root, $2 lock dir, $3 compose file, $4 project, $5 pending marker, $6 accessor file,
// $7 agent log lines to search, then the paths to report (stat and sha256 as the state read does).
export const STATUS_SCRIPT = `set -u
root=$1 lock=$2 compose=$3 project=$4 pending=$5 accessor=$6 lines=$7; shift 7
bounded() { if command -v timeout >/dev/null 2>&1; then timeout -k 5 ${DOCKER_TIMEOUT_S} "$@"; else "$@"; fi; }
# the lock dir's age comes with its details: a run killed before writing them still shows its age
[ -d "$lock" ] && printf 'lock\\t%s\\t%s\\n' "$(stat -c %Y -- "$lock")" "$(head -c 4096 "$lock/details.json" 2>/dev/null | tr -d '\\n')"
if [ $# -gt 0 ]; then
  stat --printf 'stat\\t%F\\t%a\\t%u\\t%g\\t%n\\n' -- "$@" 2>/dev/null
  sha256sum -- "$@" 2>/dev/null | sed 's/^/sha\\t/'
fi
[ -f "$pending" ] && printf 'pending\\t%s\\n' "$(head -c 64 "$pending" | tr -d '\\n')"
# the secret-id record, every line (bounded), as the state read reports it
[ -f "$accessor" ] && head -c 4096 -- "$accessor" | sed 's/^/accessor\\t/'
command -v docker >/dev/null 2>&1 || { printf 'docker\\tdocker is not installed\\n'; exit 0; }
[ -f "$compose" ] || { printf 'docker\\tno compose file at %s\\n' "$compose"; exit 0; }
dc() { bounded docker compose -f "$compose" -p "$project" "$@"; }
ps=$(dc ps -a --format json 2>&1) || { printf 'docker\\t%s\\n' "$(printf '%s' "$ps" | head -c 300 | tr '\\n' ' ')"; exit 0; }
[ -n "$ps" ] && printf '%s\\n' "$ps" | sed 's/^/ps\\t/'
# never the file's content: only whether it is there and not empty
dc exec -T vault-agent test -s /vault/secrets/.env >/dev/null 2>&1
printf 'env\\t%s\\n' "$?"
fs=$(dc exec -T vault-agent stat -f -c %T /vault/secrets 2>/dev/null)
printf 'secrets-fs\\t%s\\t%s\\n' "$?" "$fs"
dc logs --no-color --no-log-prefix --tail "$lines" vault-agent 2>/dev/null | ${AGENT_FILTER}
exit 0
`

// The host's paths, its compose project and the paths to report.
export interface StatusRequest {
  paths: HostPaths
  project: string
  targets: readonly string[]
}

// The argv of the status round trip.
export function statusArgv(req: StatusRequest): string[] {
  return rootScript('authctl-status', STATUS_SCRIPT, [
    req.paths.root,
    req.paths.lockDir,
    req.paths.composeFile,
    req.project,
    req.paths.pendingRestart,
    req.paths.secretIdAccessor,
    String(AGENT_LOG_LINES),
    ...req.targets,
  ])
}
