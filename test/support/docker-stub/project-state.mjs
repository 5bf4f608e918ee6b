// @ts-check
// Glue between a loaded compose project and its stored state: selection, ordering, progress lines.
import process from 'node:process'
import { loadState } from './store.mjs'
import { StubError } from './errors.mjs'

/** @typedef {import('./compose-load.mjs').Project} Project */
/** @typedef {import('./store.mjs').ProjectState} ProjectState */

// The stored state of a project, or a fresh one; the file's working dir/config files are recorded.
/** @param {{name: string, workingDir?: string, configFiles?: string[]}} project @returns {ProjectState} */
export function stateFor(project) {
  const state = loadState(project.name) ?? { name: project.name, workingDir: '', configFiles: [], containers: {}, volumes: {}, network: false }
  if (project.workingDir) state.workingDir = project.workingDir
  if (project.configFiles) state.configFiles = project.configFiles
  return state
}

// Compose's progress line on stderr (plain/non-TTY form), e.g. " Container authentik-server-1  Started".
/** @param {string} what @param {string} status */
export function progress(what, status) {
  process.stderr.write(` ${what}  ${status}\n`)
}

// Services named on the command line must exist in the project (compose: "no such service: x").
/** @param {string[]} known @param {string[]} requested */
export function checkServices(known, requested) {
  for (const s of requested) if (!known.includes(s)) throw new StubError(`no such service: ${s}`)
}

// Dependencies first (the order compose creates and starts in); `deps` maps a service to what it needs.
/** @param {string[]} names @param {(name: string) => string[]} deps @returns {string[]} */
export function dependencyOrder(names, deps) {
  /** @type {string[]} */
  const out = []
  /** @param {string} n @param {number} depth */
  const visit = (n, depth) => {
    if (out.includes(n) || depth > 100) return
    for (const d of deps(n)) if (names.includes(d)) visit(d, depth + 1)
    out.push(n)
  }
  for (const n of names) visit(n, 0)
  return out
}

// The requested services plus everything they depend on, transitively (compose up without --no-deps).
/** @param {Project} project @param {string[]} requested */
export function withDependencies(project, requested) {
  const names = requested.length > 0 ? [...requested] : Object.keys(project.services)
  for (let i = 0; i < names.length; i++) {
    for (const d of Object.keys(project.services[/** @type {string} */ (names[i])]?.dependsOn ?? {})) if (!names.includes(d)) names.push(d)
  }
  return names
}

// Go's time.Duration text for the --wait-timeout message (e.g. 1m0s, 10s).
/** @param {number} seconds */
export function goDuration(seconds) {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}
