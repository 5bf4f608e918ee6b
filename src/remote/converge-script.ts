// Round trip 3 (only on hosts that owe a restart): bring the stack up, restart what the changed
// files require, wait until every service is healthy, then prove that the agent rendered .env into
// a tmpfs. The pending-restart marker is cleared only after all of that succeeded, so a failed run
// leaves the restart owed to the next one.
import type { HostPaths } from './paths.js'
import { rootScript } from './sudo.js'

// Exit codes naming the step that failed (parse in the converge step).
export const CONVERGE_EXIT = { up: 10, restartAgent: 11, restartApp: 12, noEnv: 13, notTmpfs: 14 } as const

// $1 compose file, $2 project, $3 restart kind (up|agent), $4 wait timeout (s), $5 pending marker.
export const CONVERGE_SCRIPT = `set -u
file=$1 project=$2 kind=$3 wait=$4 marker=$5
dc() { docker compose -f "$file" -p "$project" "$@"; }
dc up -d --wait --wait-timeout "$wait" || exit ${CONVERGE_EXIT.up}
echo 'step\tup'
if [ "$kind" = agent ]; then
  dc restart vault-agent || exit ${CONVERGE_EXIT.restartAgent}
  dc up -d --wait --wait-timeout "$wait" vault-agent || exit ${CONVERGE_EXIT.restartAgent}
  echo 'step\trestarted vault-agent'
  dc restart server worker || exit ${CONVERGE_EXIT.restartApp}
  dc up -d --wait --wait-timeout "$wait" || exit ${CONVERGE_EXIT.restartApp}
  echo 'step\trestarted server worker'
fi
dc exec -T vault-agent test -s /vault/secrets/.env || exit ${CONVERGE_EXIT.noEnv}
fs=$(dc exec -T vault-agent stat -f -c %T /vault/secrets) || exit ${CONVERGE_EXIT.notTmpfs}
[ "$fs" = tmpfs ] || { echo "filesystem: $fs" >&2; exit ${CONVERGE_EXIT.notTmpfs}; }
rm -f -- "$marker"
echo 'step\thealthy'
`

export type RestartKind = 'up' | 'agent'

// The argv of round trip 3.
export function convergeCommand(paths: HostPaths, project: string, kind: RestartKind, waitSeconds: number): string[] {
  return rootScript('authctl-converge', CONVERGE_SCRIPT, [paths.composeFile, project, kind, String(waitSeconds), paths.pendingRestart])
}
