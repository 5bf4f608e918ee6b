// Round trips 2 and 3 of a run that restarts, as one: write every file (taking the lock first when the
// write takes it) and, only once all of them are in place, converge. The line between the two parts
// tells the caller which one a failure came from, and when the write ended.
import { CONVERGE_SCRIPT, convergeArgs, type ConvergeRequest } from './converge-script.js'
import { rootScript } from './sudo.js'
import { writeParts, type DirSpec, type FileSpec, type WriteLock } from './write-script.js'

// Printed once every file is written, before the converge starts.
export const WRITTEN_LINE = 'written'

// The write's traps and `set -e` end with it: the converge reports its failures by exit code.
const BETWEEN = `trap - EXIT HUP INT TERM PIPE
set +e
printf '%s\\n' ${WRITTEN_LINE}
`

export function writeConvergeArgv(dirs: readonly DirSpec[], files: readonly FileSpec[], lock: WriteLock | undefined, req: ConvergeRequest): { argv: string[]; stdin: Buffer } {
  const write = writeParts(dirs, files, lock)
  return { argv: rootScript('authctl-write-converge', write.script + BETWEEN + CONVERGE_SCRIPT, [...write.args, '--then', ...convergeArgs(req)]), stdin: write.stdin }
}
