// Round trip 1 of every run on a host: preflight (docker compose present), take the deploy lock
// (atomic mkdir), then report the state of every target path, the pending restart, the recorded
// secret-id accessor and the compose services — all in one remote command.
import type { HostPaths } from '../stack/host-paths.js'
import { rootScript } from './sudo.js'

// Exit codes the script uses to say why it stopped; parse-state.ts maps them to errors.
export const STATE_EXIT = { lockHeld: 3, noDocker: 20, noCompose: 21, noRoot: 22 } as const

// Seconds one docker call of the state read may take on the host.
export const DOCKER_TIMEOUT_S = 45

// $1 root, $2 lock dir, $3 lock details (one JSON line), $4 compose project, $5 take the lock (1), only
// refuse a held one (check) or ignore it (0),
// $6 compose file, $7 pending-restart marker, $8 secret-id accessor file, then the paths to report.
export const STATE_SCRIPT = `set -u
root=$1 lock=$2 details=$3 project=$4 take=$5 compose=$6 pending=$7 accessor=$8; shift 8
# the lock comes first: a docker call that hangs below then holds a lock the run will release, and a
# command that outlives the run (killed on timeout) can no longer take a lock after the release
if [ "$take" = 1 ]; then
  mkdir -p -- "$root" || exit ${STATE_EXIT.noRoot}
  if mkdir -m 0700 -- "$lock" 2>/dev/null; then
    printf '%s\\n' "$details" > "$lock/details.json"
  else
    printf 'locked\\t%s\\n' "$(head -c 4096 "$lock/details.json" 2>/dev/null | tr -d '\\n')"
    exit ${STATE_EXIT.lockHeld}
  fi
elif [ "$take" = check ] && [ -d "$lock" ]; then
  # the lock is taken later, in the write trip; a run in progress still stops this one before any change
  printf 'locked\\t%s\\n' "$(head -c 4096 "$lock/details.json" 2>/dev/null | tr -d '\\n')"
  exit ${STATE_EXIT.lockHeld}
fi
command -v docker >/dev/null 2>&1 || exit ${STATE_EXIT.noDocker}
# bounded: a wedged daemon fails this host (exit 124 from timeout) instead of hanging the run
bounded() { if command -v timeout >/dev/null 2>&1; then timeout -k 5 ${DOCKER_TIMEOUT_S} "$@"; else "$@"; fi; }
# one docker call: a deployed stack's ps proves compose works; a fresh host asks for the version
if [ -f "$compose" ]; then
  ps=$(bounded docker compose -f "$compose" -p "$project" ps -a --format json 2>&1) || { printf 'compose\\t%s\\n' "$(printf '%s' "$ps" | head -c 300 | tr '\\n' ' ')"; exit ${STATE_EXIT.noCompose}; }
else
  ps=
  v=$(bounded docker compose version --short 2>&1) || { printf 'compose\\t%s\\n' "$(printf '%s' "$v" | head -c 300 | tr '\\n' ' ')"; exit ${STATE_EXIT.noCompose}; }
  printf 'compose-version\\t%s\\n' "$v"
fi
# two processes for all paths (not a loop of four per path): stat for type, mode and owner, then the
# checksums; a missing path is simply absent from both outputs
if [ $# -gt 0 ]; then
  stat --printf 'stat\\t%F\\t%a\\t%u\\t%g\\t%n\\n' -- "$@" 2>/dev/null
  sha256sum -- "$@" 2>/dev/null | sed 's/^/sha\\t/'
fi
[ -f "$pending" ] && printf 'pending\\t%s\\n' "$(head -c 64 "$pending" | tr -d '\\n')"
# the secret-id record, every line (bounded): current accessor, one being installed, accessors owed a destroy
[ -f "$accessor" ] && head -c 4096 -- "$accessor" | sed 's/^/accessor\\t/'
[ -n "$ps" ] && printf '%s\\n' "$ps" | sed 's/^/ps\\t/'
exit 0
`

export interface StateRequest {
  paths: HostPaths
  project: string
  lockDetails: string
  // take the lock now, only refuse a held one (the write trip takes it), or ignore it (--check)
  lock: 'take' | 'check' | 'ignore'
  targets: readonly string[]
}

// The argv of round trip 1.
export function stateArgv(req: StateRequest): string[] {
  return rootScript('authctl-state', STATE_SCRIPT, [
    req.paths.root,
    req.paths.lockDir,
    req.lockDetails,
    req.project,
    req.lock === 'take' ? '1' : req.lock === 'check' ? 'check' : '0',
    req.paths.composeFile,
    req.paths.pendingRestart,
    req.paths.secretIdAccessor,
    ...req.targets,
  ])
}
