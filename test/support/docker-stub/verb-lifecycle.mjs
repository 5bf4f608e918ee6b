// @ts-check
// `restart`, `stop`, `start` and `down` against existing containers.
import { parseFlags } from './cli-args.mjs'
import { saveState, deleteState } from './store.mjs'
import { startContainer, stopContainer, removeContainer, removeVolumes } from './lifecycle.mjs'
import { stateFor, progress, checkServices, dependencyOrder } from './project-state.mjs'

/** @typedef {{name: string, workingDir?: string, configFiles?: string[], services: Record<string, import('./compose-normalize.mjs').Service> | null}} ProjectRef */
/** @typedef {import('./store.mjs').ProjectState} ProjectState */

/** @param {ProjectState} state @param {string[]} names */
function ordered(state, names) {
  return dependencyOrder(names, (n) => Object.keys(state.containers[n]?.spec.dependsOn ?? {}))
}

/** @param {ProjectRef} project @param {ProjectState} state @param {string[]} requested */
function targets(project, state, requested) {
  checkServices(project.services ? Object.keys(project.services) : Object.keys(state.containers), requested)
  return (requested.length > 0 ? requested : Object.keys(state.containers)).filter((s) => state.containers[s])
}

// restart: also restarts dependents declared with `depends_on.<svc>.restart: true` (compose >= 2.17).
/** @param {ProjectRef} project @param {string[]} argv */
export async function restart(project, argv) {
  const p = parseFlags(argv, { bool: { '--no-deps': 'noDeps' }, value: { '-t': 'timeout', '--timeout': 'timeout' } }, 'docker compose restart')
  const state = stateFor(project)
  const names = targets(project, state, p.rest)
  if (!p.opts.noDeps && p.rest.length > 0) {
    for (let i = 0; i < names.length; i++) {
      for (const c of Object.values(state.containers)) {
        if (!names.includes(c.service) && c.spec.dependsOn[/** @type {string} */ (names[i])]?.restart) names.push(c.service)
      }
    }
  }
  for (const name of ordered(state, names)) {
    const c = state.containers[name]
    if (!c) continue
    progress(`Container ${c.name}`, 'Restarting')
    stopContainer(state, c)
    await startContainer(state, c)
    saveState(state)
    progress(`Container ${c.name}`, 'Started')
  }
}

// stop: dependents before their dependencies.
/** @param {ProjectRef} project @param {string[]} argv */
export async function stop(project, argv) {
  const p = parseFlags(argv, { value: { '-t': 'timeout', '--timeout': 'timeout' } }, 'docker compose stop')
  const state = stateFor(project)
  for (const name of ordered(state, targets(project, state, p.rest)).reverse()) {
    const c = state.containers[name]
    if (!c || c.state !== 'running') continue
    progress(`Container ${c.name}`, 'Stopping')
    stopContainer(state, c)
    saveState(state)
    progress(`Container ${c.name}`, 'Stopped')
  }
}

// start: existing containers only, dependencies first (no health waiting, as compose start).
/** @param {ProjectRef} project @param {string[]} argv */
export async function start(project, argv) {
  const p = parseFlags(argv, {}, 'docker compose start')
  const state = stateFor(project)
  for (const name of ordered(state, targets(project, state, p.rest))) {
    const c = state.containers[name]
    if (!c || c.state === 'running') continue
    progress(`Container ${c.name}`, 'Starting')
    await startContainer(state, c)
    saveState(state)
    progress(`Container ${c.name}`, 'Started')
  }
}

// down: stop and remove containers and the network; named volumes only with -v (the tmpfs empties anyway).
/** @param {ProjectRef} project @param {string[]} argv */
export async function down(project, argv) {
  const p = parseFlags(
    argv,
    { bool: { '-v': 'volumes', '--volumes': 'volumes', '--remove-orphans': 'removeOrphans' }, value: { '-t': 'timeout', '--timeout': 'timeout', '--rmi': 'rmi' } },
    'docker compose down',
  )
  const state = stateFor(project)
  const known = project.services
  const names = Object.keys(state.containers).filter((s) => !known || known[s] || p.opts.removeOrphans)
  for (const name of ordered(state, names).reverse()) {
    const c = state.containers[name]
    if (!c) continue
    if (c.state === 'running') {
      progress(`Container ${c.name}`, 'Stopping')
      stopContainer(state, c)
      progress(`Container ${c.name}`, 'Stopped')
    }
    progress(`Container ${c.name}`, 'Removing')
    removeContainer(state, c)
    progress(`Container ${c.name}`, 'Removed')
  }
  if (p.opts.volumes) {
    for (const v of Object.values(state.volumes)) {
      progress(`Volume ${v.name}`, 'Removing')
      progress(`Volume ${v.name}`, 'Removed')
    }
    removeVolumes(state)
  }
  if (Object.keys(state.containers).length > 0) {
    saveState(state)
    return
  }
  if (state.network) {
    progress(`Network ${state.name}_default`, 'Removing')
    progress(`Network ${state.name}_default`, 'Removed')
  }
  if (Object.keys(state.volumes).length > 0) {
    state.network = false
    saveState(state)
  } else deleteState(state.name)
}
