// Reads one credential file into authctl's memory over the SSH channel (never into argv or a log):
// only a regular file, not a symlink planted where it belongs, and bounded.
import { rootScript } from './sudo.js'

// Exit code of the script when the path is missing, not a regular file, or a symlink.
export const READ_SECRET_REFUSED = 3

export const READ_SECRET_SCRIPT = `f=$1
[ -f "$f" ] && [ ! -L "$f" ] || exit ${READ_SECRET_REFUSED}
head -c 1024 -- "$f"
`

// The argv that prints the file's content on stdout.
export function readSecretArgv(path: string): string[] {
  return rootScript('authctl-read-secret', READ_SECRET_SCRIPT, [path])
}
