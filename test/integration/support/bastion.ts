// A bastion for the install tests: a program run in a mount namespace of its own in which the given
// paths do not exist (a folder becomes an empty read-only tmpfs, a file /dev/null), e.g. the repository,
// so an installed authctl can find nothing of it, and the build machine's Node.
import { runProcess, type CliRun } from './cli.js'

const HIDE_THEN_EXEC = `n=$1; shift
while [ "$n" -gt 0 ]; do
  if [ -d "$1" ]; then /usr/bin/mount -t tmpfs -o ro,size=4k hidden "$1"; else /usr/bin/mount --bind /dev/null "$1"; fi
  shift; n=$((n - 1))
done
exec "$@"`

export function onBastion(hide: readonly string[], command: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd: string; input?: string }): Promise<CliRun> {
  return runProcess('/usr/bin/unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', HIDE_THEN_EXEC, 'sh', String(hide.length), ...hide, ...command], opts)
}
