// @ts-check
// Container lifecycle against the state file: create, start (mount volumes, run the agent), stop, remove.
import process from 'node:process'
import fs from 'node:fs'
import crypto from 'node:crypto'
import { mountSource, isTmpfsMount, resolveIdentity } from './container-view.mjs'
import { startAgent } from './agent.mjs'
import { removeLog } from './store.mjs'
import { StubError } from './errors.mjs'
import { stubPaths } from './paths.mjs'

/** @typedef {import('./store.mjs').ProjectState} ProjectState */
/** @typedef {import('./store.mjs').Container} Container */

// com.docker.compose.config-hash: a digest of the normalised service, so a changed config means recreate.
/** @param {import('./compose-normalize.mjs').Service} spec */
export function configHash(spec) {
  /** @param {unknown} v @returns {unknown} */
  const sorted = (v) =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(/** @type {Record<string, unknown>} */ (v)[k])])) : v
  return crypto.createHash('sha256').update(JSON.stringify(sorted(spec))).digest('hex')
}

// A new container in state "created" (not started).
/** @param {ProjectState} state @param {import('./compose-normalize.mjs').Service} spec @returns {Container} */
export function createContainer(state, spec) {
  const c = {
    id: crypto.randomBytes(32).toString('hex'),
    name: `${state.name}-${spec.name}-1`,
    service: spec.name,
    state: /** @type {const} */ ('created'),
    exitCode: 0,
    createdAt: new Date().toISOString(),
    startedAt: '',
    finishedAt: '',
    configHash: configHash(spec),
    spec,
  }
  state.containers[spec.name] = c
  return c
}

/** @param {string} o driver_opts.o such as "size=1m,uid=100,gid=1000,mode=0750" */
function tmpfsOptions(o) {
  /** @type {Record<string, string>} */
  const kv = {}
  for (const part of o.split(',')) {
    const [k = '', v = ''] = part.split('=')
    kv[k.trim()] = v.trim()
  }
  return { uid: Number(kv.uid ?? 0), gid: Number(kv.gid ?? 0), mode: kv.mode ? parseInt(kv.mode, 8) : 0o1777 }
}

// Whether another running container holds this mount source (the tmpfs stays mounted while one does).
/** @param {ProjectState} state @param {Container} except @param {string} source */
function heldByOthers(state, except, source) {
  return Object.values(state.containers).some(
    (o) => o !== except && o.state === 'running' && o.spec.mounts.some((m, i) => mountSource(state, o, m, i) === source),
  )
}

// Mounting: bind sources are created if missing (compose's create_host_path), a fresh tmpfs is empty
// and gets the driver_opts owner/mode.
/** @param {ProjectState} state @param {Container} c */
function mountAll(state, c) {
  c.spec.mounts.forEach((m, i) => {
    const src = mountSource(state, c, m, i)
    if (m.type === 'bind') {
      if (!fs.existsSync(src)) fs.mkdirSync(src, { recursive: true })
      return
    }
    if (isTmpfsMount(state, m) && !heldByOthers(state, c, src)) {
      fs.rmSync(src, { recursive: true, force: true })
      fs.mkdirSync(src, { recursive: true })
      const opts = m.type === 'volume' ? tmpfsOptions(state.volumes[m.source]?.driverOpts.o ?? '') : { uid: 0, gid: 0, mode: 0o1777 }
      if (process.getuid?.() === 0) fs.chownSync(src, opts.uid, opts.gid)
      fs.chmodSync(src, opts.mode)
    } else if (!fs.existsSync(src)) fs.mkdirSync(src, { recursive: true })
  })
}

// Unmounting a tmpfs nobody else holds loses its content (moby's refcounted local volume).
/** @param {ProjectState} state @param {Container} c */
function unmountAll(state, c) {
  c.spec.mounts.forEach((m, i) => {
    const src = mountSource(state, c, m, i)
    if (isTmpfsMount(state, m) && !heldByOthers(state, c, src)) fs.rmSync(src, { recursive: true, force: true })
  })
}

// Starts a created/exited container; the vault agent logs in and renders during this call.
/** @param {ProjectState} state @param {Container} c */
export async function startContainer(state, c) {
  try {
    resolveIdentity(c.spec)
  } catch (err) {
    throw new StubError(`Error response from daemon: ${/** @type {Error} */ (err).message}`)
  }
  mountAll(state, c)
  c.state = 'running'
  c.exitCode = 0
  c.startedAt = new Date().toISOString()
  c.finishedAt = ''
  const exit = await startAgent(state, c)
  if (exit !== null) stopContainer(state, c, exit)
}

// Stops a running container with the given exit code (SIGTERM handled cleanly: 0).
/** @param {ProjectState} state @param {Container} c @param {number} [exitCode] */
export function stopContainer(state, c, exitCode = 0) {
  if (c.state !== 'running') return
  c.state = 'exited'
  c.exitCode = exitCode
  c.finishedAt = new Date().toISOString()
  unmountAll(state, c)
}

// Removes the container, its log and its private (anonymous/tmpfs) mounts.
/** @param {ProjectState} state @param {Container} c */
export function removeContainer(state, c) {
  stopContainer(state, c)
  c.spec.mounts.forEach((m, i) => {
    if (m.type !== 'bind' && !(m.type === 'volume' && m.source)) fs.rmSync(mountSource(state, c, m, i), { recursive: true, force: true })
  })
  removeLog(state.name, c.service)
  delete state.containers[c.service]
}

// Removes named volume folders (down -v); external volumes are never touched.
/** @param {ProjectState} state */
export function removeVolumes(state) {
  for (const v of Object.values(state.volumes)) if (!v.external) fs.rmSync(stubPaths().volume(v.name), { recursive: true, force: true })
  state.volumes = {}
}
