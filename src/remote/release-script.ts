// The last round trip of a run on a host: append the audit lines, then release the deploy lock.
// Removing only a lock whose details are ours keeps a run from freeing another run's lock.
import type { HostPaths } from '../stack/host-paths.js'
import { rootScript } from './sudo.js'

// $1 lock dir, $2 our lock details, $3 audit log, then audit lines (may be none).
export const RELEASE_SCRIPT = `set -u
lock=$1 ours=$2 log=$3; shift 3
for line do printf '%s\\n' "$line" >> "$log"; done
[ -n "$*" ] && chmod 0640 -- "$log"
if [ "$(cat -- "$lock/details.json" 2>/dev/null)" = "$ours" ]; then rm -rf -- "$lock"; else echo 'lock not ours, left in place' >&2; fi
exit 0
`

// The argv of the release round trip.
export function releaseArgv(paths: HostPaths, lockDetails: string, auditLines: readonly string[]): string[] {
  return rootScript('authctl-release', RELEASE_SCRIPT, [paths.lockDir, lockDetails, paths.auditLog, ...auditLines])
}

// Unconditional release for `authctl lock release` (a stale lock left by a killed run).
export const FORCE_RELEASE_SCRIPT = `set -u
lock=$1
[ -d "$lock" ] || { echo 'no lock'; exit 0; }
cat -- "$lock/details.json" 2>/dev/null; echo
rm -rf -- "$lock" && echo released
`

export function forceReleaseArgv(paths: HostPaths): string[] {
  return rootScript('authctl-unlock', FORCE_RELEASE_SCRIPT, [paths.lockDir])
}

// Reads the lock's details (or says there is none) for `authctl lock status`.
export const LOCK_STATUS_SCRIPT = `if [ -d "$1" ]; then printf 'held\\t%s\\n' "$(head -c 4096 "$1/details.json" 2>/dev/null | tr -d '\\n')"; else echo free; fi
`

export function lockStatusArgv(paths: HostPaths): string[] {
  return rootScript('authctl-lock-status', LOCK_STATUS_SCRIPT, [paths.lockDir])
}
