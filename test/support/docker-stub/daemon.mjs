// @ts-check
// The "daemon connection": fault injection and the socket's permission check, before any verb runs.
import process from 'node:process'
import { setTimeout } from 'node:timers'
import fs from 'node:fs'
import { StubError } from './errors.mjs'
import { stubPaths } from './paths.mjs'

/**
 * @typedef {object} Faults
 * @property {boolean} [daemonDown] every daemon call fails as with a stopped dockerd
 * @property {string[]} [unhealthy] services whose health check always fails
 * @property {number} [slowMs] delay before every daemon call (capped at 120 s)
 * @property {Record<string, string>} [failVerbs] compose verb -> message it fails with (exit 1)
 */

// Faults are read on every call so a test can flip them between commands.
/** @returns {Faults} */
export function readFaults(root = stubPaths().root) {
  let text
  try {
    text = fs.readFileSync(stubPaths(root).faults, 'utf8')
  } catch {
    return {}
  }
  /** @type {unknown} */
  const raw = JSON.parse(text)
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StubError('docker-stub: faults.json must hold an object')
  /** @type {Record<string, unknown>} */
  const obj = /** @type {Record<string, unknown>} */ (raw)
  /** @type {Faults} */
  const faults = {}
  if (obj.daemonDown === true) faults.daemonDown = true
  if (Array.isArray(obj.unhealthy)) faults.unhealthy = obj.unhealthy.filter((s) => typeof s === 'string')
  if (typeof obj.slowMs === 'number' && obj.slowMs > 0) faults.slowMs = Math.min(obj.slowMs, 120_000)
  if (typeof obj.failVerbs === 'object' && obj.failVerbs !== null) {
    /** @type {Record<string, string>} */
    const verbs = {}
    for (const [k, v] of Object.entries(obj.failVerbs)) if (typeof v === 'string') verbs[k] = v
    faults.failVerbs = verbs
  }
  return faults
}

const SOCKET = 'unix:///var/run/docker.sock'

// Like the real socket (root:docker 0660): root or a member of group docker may talk to the daemon.
function mayUseSocket() {
  if (process.getuid?.() === 0) return true
  let groupLine
  try {
    groupLine = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('docker:'))
  } catch {
    return false
  }
  const gid = Number(groupLine?.split(':')[2])
  return Number.isInteger(gid) && (process.getgroups?.() ?? []).includes(gid)
}

// Called by every verb that would talk to dockerd; `version`/`config` do not, as in real docker.
/** @param {string} verb compose verb, for failVerbs; @param {string} apiPath the API call docker would make first */
export async function connectDaemon(verb, apiPath = '/v1.47/containers/json') {
  const faults = readFaults()
  if (faults.daemonDown) throw new StubError(`Cannot connect to the Docker daemon at ${SOCKET}. Is the docker daemon running?`)
  if (!mayUseSocket()) {
    throw new StubError(
      `permission denied while trying to connect to the Docker daemon socket at ${SOCKET}: ` +
        `Get "http://%2Fvar%2Frun%2Fdocker.sock${apiPath}": dial unix /var/run/docker.sock: connect: permission denied`,
    )
  }
  if (faults.slowMs) await new Promise((resolve) => setTimeout(resolve, faults.slowMs))
  const failure = faults.failVerbs?.[verb]
  if (failure !== undefined) throw new StubError(failure)
  return faults
}
