// The round trip that restarts: bring the stack up and/or restart groups of services in order, wait
// until each is healthy, and after any vault-agent restart prove a fresh login in the agent's log
// (.env sits on a tmpfs that outlives an agent-only restart, so a stale file and a healthy agent
// prove nothing). Then check .env and the tmpfs. The pending-restart marker is cleared only after
// all of that succeeded, so a failed run leaves the restart owed to the next one.
import type { HostPaths } from '../stack/host-paths.js'
import { rootScript } from './sudo.js'
import { STACK_SERVICES, type StackService } from '../stack/services.js'

// Exit codes naming the step that failed (parsed in the converge step).
export const CONVERGE_EXIT = { up: 10, restart: 11, noLogin: 12, noEnv: 13, notTmpfs: 14, mark: 15 } as const

// A successful login as Vault Agent logs it (go-hclog; old agents omit "agent.").
export const AGENT_LOGIN_OK = String.raw`\[INFO\] +(agent\.)?auth\.handler: authentication successful`

// $1 compose file, $2 project, $3 up first (1|0), $4 wait (s), $5 pending marker, $6 restart to record
// as owed before starting ('' for none), then the groups to restart in order ("server worker" is one group).
export const CONVERGE_SCRIPT = `set -u
file=$1 project=$2 up=$3 wait=$4 marker=$5 owe=$6; shift 6
dc() { docker compose -f "$file" -p "$project" "$@"; }
if [ -n "$owe" ]; then (umask 077; printf '%s\\n' "$owe" > "$marker") || exit ${CONVERGE_EXIT.mark}; fi
fresh_login() {
  end=$(( $(date +%s) + wait ))
  while :; do
    out=$(dc logs --no-color --no-log-prefix --since "$1" vault-agent 2>&1)
    printf '%s\\n' "$out" | grep -Eq '${AGENT_LOGIN_OK}' && return 0
    if [ "$(date +%s)" -ge "$end" ]; then printf '%s\\n' "$out" | tail -n 12 >&2; return 1; fi
    sleep 1
  done
}
if [ "$up" = 1 ]; then
  dc up -d --wait --wait-timeout "$wait" || exit ${CONVERGE_EXIT.up}
  echo 'step\tup'
fi
for group do
  since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
  printf 'group\\t%s\\n' "$group"
  # the group is a space-separated list of our own service names: split on purpose, no globbing
  set -f
  dc restart $group || exit ${CONVERGE_EXIT.restart}
  dc up -d --wait --wait-timeout "$wait" $group || exit ${CONVERGE_EXIT.restart}
  set +f
  case " $group " in *" vault-agent "*) fresh_login "$since" || exit ${CONVERGE_EXIT.noLogin} ;; esac
  printf 'step\\trestarted %s\\n' "$group"
done
# one exec for both checks (each exec is a docker call): the file system type, then whether .env has content
fs=$(dc exec -T vault-agent sh -c 'stat -f -c %T /vault/secrets && test -s /vault/secrets/.env'); env_ok=$?
# no answer at all: the exec or the stat failed, nothing was rendered where .env belongs
[ -n "$fs" ] || exit ${CONVERGE_EXIT.noEnv}
[ "$fs" = tmpfs ] || { echo "filesystem: $fs" >&2; exit ${CONVERGE_EXIT.notTmpfs}; }
[ "$env_ok" = 0 ] || exit ${CONVERGE_EXIT.noEnv}
rm -f -- "$marker"
echo 'step\thealthy'
`

// What setup owes a host: compose up, or a restart of the agent then the app.
export type RestartKind = 'up' | 'agent'

export interface ConvergeRequest {
  paths: HostPaths
  project: string
  // run `docker compose up -d --wait` before any restart
  up: boolean
  // groups restarted one after another, each healthy before the next
  groups: readonly (readonly StackService[])[]
  waitSeconds: number
  // the restart recorded as owed before anything starts (cleared when healthy)
  owe?: RestartKind
}

// The arguments CONVERGE_SCRIPT takes for a request.
export function convergeArgs(req: ConvergeRequest): string[] {
  return [
    req.paths.composeFile, req.project, req.up ? '1' : '0', String(req.waitSeconds), req.paths.pendingRestart, req.owe ?? '',
    ...req.groups.map((g) => g.join(' ')),
  ]
}

// The argv of the restart round trip.
export function convergeArgv(req: ConvergeRequest): string[] {
  return rootScript('authctl-converge', CONVERGE_SCRIPT, convergeArgs(req))
}

// How long the converge may take before the host counts as failed: every wait, plus a minute.
export function convergeTimeoutMs(req: ConvergeRequest): number {
  return (req.waitSeconds * (2 * req.groups.length + 2) + 60) * 1000
}

// The groups setup's restart kinds stand for.
export function groupsFor(kind: RestartKind): StackService[][] {
  return kind === 'agent' ? [['vault-agent'], ['server', 'worker']] : []
}

// Restart groups for a set of services: always in stack order, the agent alone first, the app together.
export function restartGroups(services: readonly StackService[]): StackService[][] {
  const agent = services.includes('vault-agent') ? [['vault-agent' as const]] : []
  const app = STACK_SERVICES.filter((s) => s !== 'vault-agent' && services.includes(s))
  return [...agent, ...(app.length > 0 ? [app] : [])]
}
