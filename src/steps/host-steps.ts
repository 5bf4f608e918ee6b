// The per-host round trips of a converging play: read state (taking the lock when asked), write
// changed files, converge compose. The engine waits for a held lock and releases it.
import { HostFailedError } from '../errors.js'
import { convergeCommand, CONVERGE_EXIT, type RestartKind } from '../remote/converge-script.js'
import { parseState, type HostState } from '../remote/parse-state.js'
import type { HostPaths } from '../remote/paths.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { stateCommand } from '../remote/state-script.js'
import { writeCommand } from '../remote/write-script.js'
import type { DesiredDir, DesiredFile } from './desired.js'

export interface ReadStateInput {
  paths: HostPaths
  project: string
  // the lock's details when the run locks: the same command takes the lock
  lockDetails: string | undefined
  targets: readonly string[]
}

// Bounded time for the state read: a hung docker on one host fails that host, it never holds the run.
const STATE_TIMEOUT_MS = 60_000

// Round trip 1: preflight, the lock when asked, and the state of every target path and service.
export async function readState(remote: RemoteHost, input: ReadStateInput): Promise<HostState> {
  const argv = stateCommand({ paths: input.paths, project: input.project, lockDetails: input.lockDetails ?? '', takeLock: input.lockDetails !== undefined, targets: input.targets })
  return parseState(remote.name, await remote.exec(argv, { timeoutMs: STATE_TIMEOUT_MS }))
}

// Round trip 2: directories, then files (contents over stdin).
export async function writeFiles(remote: RemoteHost, dirs: readonly DesiredDir[], files: readonly DesiredFile[]): Promise<void> {
  const { argv, stdin } = writeCommand(dirs, files.map((f) => ({ ...f, content: Buffer.from(f.content) })))
  const r = await remote.exec(argv, { stdin, timeoutMs: 120_000 })
  if (r.code !== 0) throw new HostFailedError(`${remote.name}: writing files failed: ${r.stderr.trim().slice(0, 300)}`, { hint: 'Check free space and that /data is writable; nothing was half-written (writes are atomic).' })
}

const CONVERGE_FAILURE: Record<number, string> = {
  [CONVERGE_EXIT.up]: 'docker compose up did not get every service healthy',
  [CONVERGE_EXIT.restartAgent]: 'vault-agent did not come back healthy after its restart',
  [CONVERGE_EXIT.restartApp]: 'server and worker did not come back healthy after their restart',
  [CONVERGE_EXIT.noEnv]: 'vault-agent is up but /vault/secrets/.env was not rendered',
  [CONVERGE_EXIT.notTmpfs]: '/vault/secrets in vault-agent is not a tmpfs',
}

// Round trip 3: converge compose and wait for health; the output lists the steps done.
export async function converge(remote: RemoteHost, paths: HostPaths, project: string, kind: RestartKind, waitS: number): Promise<string[]> {
  const r = await remote.exec(convergeCommand(paths, project, kind, waitS), { timeoutMs: (waitS * 3 + 60) * 1000 })
  const steps = r.stdout.split('\n').filter((l) => l.startsWith('step\t')).map((l) => l.slice(5))
  if (r.code !== 0) {
    const what = CONVERGE_FAILURE[r.code ?? -1] ?? `converge failed (exit ${String(r.code)})`
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)
    throw new HostFailedError(`${remote.name}: ${what}${tail ? `: ${tail}` : ''}`, {
      hint: `On ${remote.name} read the logs: sudo docker compose -f ${paths.composeFile} -p ${project} logs --tail 50 vault-agent server worker. The restart stays owed; the next run retries it.`,
    })
  }
  return steps
}
