// @ts-check
// Helpers for tests: read and steer one host's docker stand-in from outside (the bastion side).
// Every function takes the stub root: `<host data dir>/.docker-stub` (see stubRootOf) or DOCKER_STUB_ROOT.
import fs from 'node:fs'
import path from 'node:path'
import { stubPaths } from './paths.mjs'
import { loadState, lockHolder, processAlive, readLog } from './store.mjs'

// The stub root inside a host's private /data, given where that /data lives on the bastion.
/** @param {string} dataDir */
export function stubRootOf(dataDir) {
  return path.join(dataDir, '.docker-stub')
}

// A project's containers, volumes and network as the stand-in stores them (undefined before any `up`).
/** @param {string} root @param {string} project */
export function readProjectState(root, project) {
  return loadState(project, root)
}

// A service's log lines (text only), oldest first.
/** @param {string} root @param {string} project @param {string} service @returns {string[]} */
export function readServiceLog(root, project, service) {
  return readLog(project, service, root).map((l) => l.text)
}

// The folder standing for a named volume (for the tmpfs: its contents while mounted).
/** @param {string} root @param {string} volumeName docker's name, e.g. authentik_secrets */
export function volumeDir(root, volumeName) {
  return stubPaths(root).volume(volumeName)
}

// Sets the faults every later docker call sees (replaces the previous ones).
/** @param {string} root @param {import('./daemon.mjs').Faults} faults */
export function writeFaults(root, faults) {
  fs.mkdirSync(root, { recursive: true })
  fs.writeFileSync(stubPaths(root).faults, JSON.stringify(faults))
}

// Removes all faults.
/** @param {string} root */
export function clearFaults(root) {
  fs.rmSync(stubPaths(root).faults, { force: true })
}

// Whether a running process holds the stand-in's state lock (a lock whose holder died is taken over by the next call).
/** @param {string} root */
export function lockHeldByLiveProcess(root) {
  const pid = lockHolder(stubPaths(root).lock)
  return pid !== undefined && processAlive(pid)
}
