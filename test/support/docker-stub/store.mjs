// @ts-check
// Per-project container state (JSON) and per-service logs under the stub root, with a host-wide lock.
import process from 'node:process'
import { setTimeout } from 'node:timers'
import fs from 'node:fs'
import path from 'node:path'
import { stubPaths } from './paths.mjs'
import { StubError } from './errors.mjs'

/**
 * @typedef {object} Container
 * @property {string} id 64 hex digits
 * @property {string} name <project>-<service>-1
 * @property {string} service
 * @property {'created' | 'running' | 'exited'} state
 * @property {number} exitCode
 * @property {string} createdAt ISO time
 * @property {string} startedAt ISO time or ''
 * @property {string} finishedAt ISO time or ''
 * @property {string} configHash sha256 of the normalised service (com.docker.compose.config-hash)
 * @property {import('./compose-normalize.mjs').Service} spec the config the container was created from
 */

/**
 * @typedef {object} ProjectState
 * @property {string} name
 * @property {string} workingDir
 * @property {string[]} configFiles
 * @property {Record<string, Container>} containers by service name
 * @property {Record<string, import('./compose-normalize.mjs').Volume>} volumes created named volumes by key
 * @property {boolean} network whether <project>_default exists
 */

// Reads a project's state, or undefined when compose never created anything for it.
/** @param {string} project @param {string} [root] @returns {ProjectState | undefined} */
export function loadState(project, root) {
  try {
    return /** @type {ProjectState} */ (JSON.parse(fs.readFileSync(stubPaths(root).project(project), 'utf8')))
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return undefined
    throw err
  }
}

// Atomic write (temp + rename) so a concurrent reader never sees half a file.
/** @param {ProjectState} state */
export function saveState(state) {
  const file = stubPaths().project(state.name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n')
  fs.renameSync(tmp, file)
}

// down removes the project's state entirely.
/** @param {string} project */
export function deleteState(project) {
  fs.rmSync(stubPaths().project(project), { force: true })
}

// Serialises mutating verbs on one host (dockerd does this per container); bounded wait, stale locks broken.
/** @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
export async function withLock(fn) {
  const lock = stubPaths().lock
  fs.mkdirSync(path.dirname(lock), { recursive: true })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      fs.mkdirSync(lock)
      // who holds it: a holder that died (a client killed by SIGPIPE once the shell that ran it was gone)
      // must not stop every later call, as the real daemon would not
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid))
      break
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 120_000 || holderGone(lock, age)) fs.rmSync(lock, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new StubError('docker-stub: timed out waiting for the state lock')
      else await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  try {
    return await fn()
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

// The pid a lock's pid file names (undefined when it is not written yet, or the lock is gone).
/** @param {string} lock @returns {number | undefined} */
export function lockHolder(lock) {
  let text = ''
  try {
    text = fs.readFileSync(path.join(lock, 'pid'), 'utf8')
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err
  }
  const pid = Number(text.trim() || NaN)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

// Whether a process runs (one of another user still counts).
/** @param {number} pid */
export function processAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code !== 'ESRCH'
  }
}

// Whether the process that took the lock is gone (a lock without a pid for more than 2 s was left by a
// holder that died between the mkdir and the write).
/** @param {string} lock @param {number} age */
function holderGone(lock, age) {
  const pid = lockHolder(lock)
  return pid === undefined ? age > 2_000 : !processAlive(pid)
}

/** @typedef {{time: string, stream: 'stdout' | 'stderr', text: string}} LogLine */

// Appends container output; each stored line is "<RFC3339 time> <stream> <text>".
/** @param {string} project @param {string} service @param {string[]} lines @param {'stdout' | 'stderr'} [stream] */
export function appendLog(project, service, lines, stream = 'stderr') {
  const file = stubPaths().log(project, service)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const now = new Date().toISOString()
  fs.appendFileSync(file, lines.map((l) => `${now} ${stream} ${l}\n`).join(''))
}

// Reads a service's log lines in order (empty when the container never ran or was removed).
/** @param {string} project @param {string} service @param {string} [root] @returns {LogLine[]} */
export function readLog(project, service, root) {
  let text
  try {
    text = fs.readFileSync(stubPaths(root).log(project, service), 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const a = l.indexOf(' ')
      const b = l.indexOf(' ', a + 1)
      return { time: l.slice(0, a), stream: l.slice(a + 1, b) === 'stdout' ? 'stdout' : 'stderr', text: l.slice(b + 1) }
    })
}

// A removed container takes its log with it, as in docker.
/** @param {string} project @param {string} service */
export function removeLog(project, service) {
  fs.rmSync(stubPaths().log(project, service), { force: true })
}
