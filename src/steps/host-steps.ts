// The per-host round trips of a converging play: read state under the lock (waiting if asked),
// write changed files, converge compose, and release the lock with the audit lines.
import { HostFailedError, InterruptedError, LockHeldError } from '../errors.js'
import { convergeCommand, CONVERGE_EXIT, type RestartKind } from '../remote/converge-script.js'
import { parseState, type HostState } from '../remote/parse-state.js'
import type { HostPaths } from '../remote/paths.js'
import { releaseCommand } from '../remote/release-script.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { stateCommand } from '../remote/state-script.js'
import { writeCommand } from '../remote/write-script.js'
import type { DesiredDir, DesiredFile } from './desired.js'

export interface ReadStateInput {
  paths: HostPaths
  project: string
  lockDetails: string
  takeLock: boolean
  targets: readonly string[]
  lockWaitMs: number
  signal: AbortSignal
  onWait?: (message: string) => void
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

// Round trip 1; with lockWaitMs > 0 a held lock is retried every 2 s until the deadline.
export async function readStateLocked(remote: RemoteHost, input: ReadStateInput): Promise<HostState> {
  const deadline = Date.now() + input.lockWaitMs
  for (;;) {
    const result = await remote.exec(stateCommand(input))
    try {
      return parseState(remote.name, result)
    } catch (error) {
      if (!(error instanceof LockHeldError) || Date.now() >= deadline) throw error
      input.onWait?.(`waiting for the deploy lock: ${error.message}`)
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())), input.signal)
      if (input.signal.aborted) throw new InterruptedError('interrupted while waiting for the lock')
    }
  }
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

// The final round trip: audit lines, then the lock (only if it is still ours).
export async function release(remote: RemoteHost, paths: HostPaths, lockDetails: string, auditLines: readonly string[]): Promise<void> {
  const r = await remote.exec(releaseCommand(paths, lockDetails, auditLines), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new HostFailedError(`${remote.name}: releasing the lock failed: ${r.stderr.trim()}`, { hint: `Clear it with: authctl lock release -l ${remote.name}` })
}
