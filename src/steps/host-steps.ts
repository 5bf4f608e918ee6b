// The per-host round trips of a converging play: read state (taking the lock when asked), write
// changed files, converge compose. The engine waits for a held lock and releases it.
import { AuthctlError, EXIT_CODES, HostFailedError, LockHeldError, type ExitCode } from '../errors.js'
import type { Timings } from '../util/timings.js'
import { convergeArgv, convergeTimeoutMs, CONVERGE_EXIT, type ConvergeRequest } from '../remote/converge-script.js'
import { sanitizeRemote } from '../util/sanitize.js'
import { parseState, type HostState } from '../remote/parse-state.js'
import type { HostPaths } from '../stack/host-paths.js'
import type { ExecResult } from '../remote/exec-result.js'
import type { RemoteHost } from '../remote/remote-host.js'
import { stateArgv } from '../remote/state-script.js'
import { writeConvergeArgv, WRITTEN_LINE } from '../remote/write-converge-script.js'
import { WRITE_EXIT, writeArgv, type WriteLock } from '../remote/write-script.js'
import type { DesiredDir, DesiredFile } from '../render/desired.js'

export interface ReadStateInput {
  paths: HostPaths
  project: string
  // when the run locks: take the lock in this command, or only refuse a held one (the write takes it)
  lock: { details: string; take: boolean } | undefined
  targets: readonly string[]
}

// Bounded time for the state read: a hung docker on one host fails that host, it never holds the run.
const STATE_TIMEOUT_MS = 60_000

// Round trip 1: preflight, the lock when asked, and the state of every target path and service.
export async function readState(remote: RemoteHost, input: ReadStateInput): Promise<HostState> {
  const argv = stateArgv({ paths: input.paths, project: input.project, lockDetails: input.lock?.details ?? '', lock: input.lock === undefined ? 'ignore' : input.lock.take ? 'take' : 'check', targets: input.targets })
  return parseState(remote.name, await remote.exec(argv, { timeoutMs: STATE_TIMEOUT_MS }))
}

// A step of a host's round trip that failed; it keeps the exit code of what stopped it (a lost
// connection stays "unreachable", Ctrl-C stays 130), so the caller can tell which step without losing that.
class StepError extends AuthctlError {
  override readonly exitCode: ExitCode

  // unknown: the command was cut (connection lost, timeout, interrupt), so what it did on the host is not known
  constructor(message: string, hint: string | undefined, exitCode: ExitCode = EXIT_CODES.hostFailed, cause?: unknown, readonly unknown = false) {
    super(message, { hint, cause })
    this.exitCode = exitCode
  }
}

// A write that failed part way: the files renamed into place before it stopped (each write is atomic);
// when the outcome is unknown, more may be in place than `written` names.
export class WriteError extends StepError {
  constructor(message: string, readonly written: readonly string[], hint: string, exitCode?: ExitCode, cause?: unknown, unknown = false) {
    super(message, hint, exitCode, cause, unknown)
  }
}

// A converge that failed after every file was written; `failed` names the step the script exited at
// (null when the command was cut or ended otherwise), so a caller can tell a refused login from the rest.
export class ConvergeError extends StepError {
  failed: keyof typeof CONVERGE_EXIT | null = null
}

const writtenPaths = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('wrote\t')).map((l) => l.slice(6))

// What the state read saw at each path, for the write trip to re-check under the lock.
export function expectedState(state: HostState, paths: readonly string[]): WriteLock['expect'] {
  return [...new Set(paths)].map((path) => {
    const have = state.paths.get(path)
    return { path, sha256: have === undefined || have.kind === 'missing' ? '-' : have.kind === 'file' ? have.sha256 : 'other' }
  })
}

const WRITE_TIMEOUT_MS = 120_000
const toSpecs = (files: readonly DesiredFile[]) => files.map((f) => ({ ...f, content: Buffer.from(f.content) }))

// Round trip 2: directories, then files in order (contents over stdin); returns the paths written.
// With a lock, the same command first takes the deploy lock and re-checks the state it was planned on.
export async function writeFiles(remote: RemoteHost, dirs: readonly DesiredDir[], files: readonly DesiredFile[], lock?: WriteLock): Promise<string[]> {
  const { argv, stdin } = writeArgv(dirs, toSpecs(files), lock)
  const r = await execWrite(remote, argv, stdin, WRITE_TIMEOUT_MS, () => undefined)
  if (r.code === 0) return writtenPaths(r.stdout)
  throw writeFailure(remote.name, r, lock)
}

// Round trips 2 and 3 as one: the files as writeFiles writes them, then the converge, which starts only
// once every file is in place. A write failure is a WriteError, anything after it a ConvergeError; the
// time until the write ended and the rest are added to timings as write and converge.
export async function writeThenConverge(
  remote: RemoteHost, write: { dirs: readonly DesiredDir[]; files: readonly DesiredFile[]; lock?: WriteLock }, req: ConvergeRequest,
  on: { timings: Timings; written(): void },
): Promise<string[]> {
  const { argv, stdin } = writeConvergeArgv(write.dirs, toSpecs(write.files), write.lock, req)
  const start = performance.now()
  let wroteAt: number | undefined
  let r: ExecResult | undefined
  let failure: unknown
  try {
    r = await execWrite(remote, argv, stdin, WRITE_TIMEOUT_MS + convergeTimeoutMs(req), (line) => {
      if (line !== WRITTEN_LINE || wroteAt !== undefined) return
      wroteAt = performance.now()
      on.written()
    })
  } catch (error) {
    failure = error
  }
  const end = performance.now()
  on.timings.write = (on.timings.write ?? 0) + Math.round((wroteAt ?? end) - start)
  if (wroteAt !== undefined) on.timings.converge = (on.timings.converge ?? 0) + Math.round(end - wroteAt)
  if (r === undefined) {
    // lost or timed out: before the line, a write failure (which files are in place is known); after it, the converge's
    if (wroteAt === undefined || !(failure instanceof WriteError)) throw failure
    const hint = failure.cause instanceof AuthctlError ? failure.cause.hint : undefined
    throw new ConvergeError(failure.message, hint ?? 'Every file is in place and the restart stays owed on the host: the next run finishes it.', failure.exitCode, failure.cause, true)
  }
  if (wroteAt === undefined) throw writeFailure(remote.name, r, write.lock)
  if (r.code === 0) return convergeSteps(r.stdout)
  throw convergeError(remote.name, r, req)
}

// Runs a write; a lost connection or a timeout becomes a WriteError naming the files already in place.
async function execWrite(remote: RemoteHost, argv: string[], stdin: Buffer, timeoutMs: number, onStdout: (line: string) => void): Promise<ExecResult> {
  // a cut connection may leave some files written: the caller learns which ones from the error
  // streamed output is not kept in the result: the last 64 KiB of each stream are kept here
  const out = { stdout: '', stderr: '' }
  try {
    const r = await remote.exec(argv, {
      stdin, timeoutMs,
      onLine: (stream, line) => {
        out[stream] = (out[stream] + line + '\n').slice(-65_536)
        if (stream === 'stdout') onStdout(line)
      },
    })
    return { ...r, stdout: out.stdout, stderr: out.stderr }
  } catch (error) {
    if (!(error instanceof AuthctlError)) throw error
    throw new WriteError(error.message, writtenPaths(out.stdout), error.hint ?? 'Run again once the host answers; each file is either old or new.', error.exitCode, error, true)
  }
}

// Why a write that ran to its end failed: the lock, a changed file, or the write itself.
function writeFailure(name: string, r: ExecResult, lock: WriteLock | undefined): Error {
  const said = (tag: string) => sanitizeRemote(r.stdout.split('\n').find((l) => l.startsWith(tag + '\t'))?.slice(tag.length + 1) ?? '', { maxBytes: 600 })
  // the lock prefix refused before writing anything: nothing to reconcile
  if (lock && r.code === WRITE_EXIT.lockHeld) {
    return new LockHeldError(`${name}: the deploy lock was taken by another run since the state read (${said('locked') || 'no details'}); nothing was written`, { hint: 'Run again once that run has finished (or pass --lock-wait 5m).' })
  }
  if (lock && r.code === WRITE_EXIT.changed) {
    return new HostFailedError(`${name}: ${said('changed')} changed since the state read (another run?); nothing was written`, { hint: 'Run again: the next run plans from the new state.' })
  }
  return new WriteError(`${name}: writing files failed: ${sanitizeRemote(r.stderr.trim() || `exit ${String(r.code)}`, { maxBytes: 300 })}`, writtenPaths(r.stdout), 'Check free space and that /data is writable; each file is either old or new, never half-written (writes are atomic).')
}

const convergeSteps = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('step\t')).map((l) => l.slice(5))

// Restarts what the request says and waits for health and a fresh agent login; returns the steps done.
export async function converge(remote: RemoteHost, req: ConvergeRequest): Promise<string[]> {
  const r = await remote.exec(convergeArgv(req), { timeoutMs: convergeTimeoutMs(req) })
  if (r.code === 0) return convergeSteps(r.stdout)
  throw convergeError(remote.name, r, req)
}

function convergeError(name: string, r: ExecResult, req: ConvergeRequest): ConvergeError {
  const group = r.stdout.split('\n').filter((l) => l.startsWith('group\t')).pop()?.slice(6) ?? ''
  const what = convergeFailure(r.code, group)
  const tail = sanitizeRemote(r.stderr.trim().split('\n').slice(-4).join(' | '), { maxBytes: 500 })
  const error = new ConvergeError(`${name}: ${what}${tail ? `: ${tail}` : ''}`,
    `On ${name} read the logs: sudo docker compose -f ${req.paths.composeFile} -p ${req.project} logs --tail 50 vault-agent server worker (or: authctl logs -l ${name} --tail 50). The restart stays owed; the next run retries it.`)
  error.failed = (Object.keys(CONVERGE_EXIT) as (keyof typeof CONVERGE_EXIT)[]).find((k) => CONVERGE_EXIT[k] === r.code) ?? null
  return error
}

function convergeFailure(code: number | null, group: string): string {
  switch (code) {
    case CONVERGE_EXIT.up: return 'docker compose up did not get every service healthy'
    case CONVERGE_EXIT.restart: return `${group.replace(' ', ' and ')} did not come back healthy after the restart`
    case CONVERGE_EXIT.noLogin: return 'vault-agent did not log in to Vault after its restart (its .env may be stale)'
    case CONVERGE_EXIT.noEnv: return 'vault-agent is up but /vault/secrets/.env was not rendered'
    case CONVERGE_EXIT.notTmpfs: return '/vault/secrets in vault-agent is not a tmpfs'
    case CONVERGE_EXIT.mark: return 'could not record the owed restart on the host'
    default: return `the restart failed (exit ${String(code)})`
  }
}
