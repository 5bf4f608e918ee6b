// @ts-check
// `docker compose up -d [--wait] [--wait-timeout N] [--remove-orphans] [--force-recreate] [--no-recreate] [services]`.
import process from 'node:process'
import { setTimeout } from 'node:timers'
import fs from 'node:fs'
import { parseFlags, optString } from './cli-args.mjs'
import { StubError } from './errors.mjs'
import { saveState } from './store.mjs'
import { stubPaths } from './paths.mjs'
import { healthOf, effectiveHealthcheck } from './health.mjs'
import { readFaults } from './daemon.mjs'
import { createContainer, startContainer, stopContainer, removeContainer, configHash } from './lifecycle.mjs'
import { stateFor, progress, checkServices, dependencyOrder, withDependencies, goDuration } from './project-state.mjs'

const FLAGS = {
  bool: {
    '-d': 'detach', '--detach': 'detach', '--wait': 'wait', '--remove-orphans': 'removeOrphans',
    '--force-recreate': 'forceRecreate', '--no-recreate': 'noRecreate', '--no-deps': 'noDeps',
    '--quiet-pull': 'quietPull', '-y': 'yes', '--yes': 'yes', '--no-build': 'noBuild', '--no-start': 'noStart',
  },
  value: { '--wait-timeout': 'waitTimeout', '--pull': 'pull', '-t': 'timeout', '--timeout': 'timeout' },
}

/** @typedef {import('./store.mjs').ProjectState} ProjectState */
/** @typedef {import('./store.mjs').Container} Container */

// Polls until `check` settles (true ok / string error) or the deadline passes; bounded by design.
/** @param {() => true | string | null} check @param {number} deadline @param {() => string} onTimeout */
async function waitFor(check, deadline, onTimeout) {
  for (;;) {
    const r = check()
    if (r === true) return
    if (typeof r === 'string') throw new StubError(r)
    if (Date.now() >= deadline) throw new StubError(onTimeout())
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** @param {ProjectState} state @param {Container} c @param {string} condition @returns {true | string | null} */
function dependencyReady(state, c, condition) {
  const faults = readFaults()
  if (condition === 'service_completed_successfully') {
    if (c.state === 'exited') return c.exitCode === 0 ? true : `service "${c.service}" didn't complete successfully: exit ${c.exitCode}`
    return null
  }
  if (c.state === 'exited') return `dependency failed to start: container ${c.name} exited (${c.exitCode})`
  if (condition !== 'service_healthy') return c.state === 'running' ? true : null
  if (!effectiveHealthcheck(c.spec)) return `dependency failed to start: container ${c.name} has no healthcheck configured`
  const h = healthOf(state, c, faults)
  if (h === 'unhealthy') return `dependency failed to start: container ${c.name} is unhealthy`
  return h === 'healthy' ? true : null
}

// Runs `up`; resolves when done, throws StubError with compose's message on failure.
/** @param {import('./compose-load.mjs').Project} project @param {string[]} argv */
export async function up(project, argv) {
  const p = parseFlags(argv, FLAGS, 'docker compose up')
  if (!p.opts.detach && !p.opts.wait) throw new StubError('docker-stub: attached `up` is not emulated; use -d or --wait')
  checkServices(Object.keys(project.services), p.rest)
  const waitSeconds = Number(optString(p, 'waitTimeout') ?? '60')
  const state = stateFor(project)
  const selected = p.opts.noDeps ? p.rest : withDependencies(project, p.rest)
  const order = dependencyOrder(selected, (n) => Object.keys(project.services[n]?.dependsOn ?? {}))

  const orphans = Object.values(state.containers).filter((c) => !project.services[c.service])
  if (orphans.length > 0 && p.opts.removeOrphans) {
    for (const c of orphans) {
      progress(`Container ${c.name}`, 'Removing')
      removeContainer(state, c)
      progress(`Container ${c.name}`, 'Removed')
    }
  } else if (orphans.length > 0) {
    process.stderr.write(
      `time="${new Date().toISOString()}" level=warning msg="Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. ` +
        'If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up."\n',
    )
  }
  if (!state.network) {
    progress(`Network ${project.name}_default`, 'Creating')
    state.network = true
    progress(`Network ${project.name}_default`, 'Created')
  }
  for (const v of Object.values(project.volumes)) {
    if (state.volumes[v.key]) continue
    progress(`Volume "${v.name}"`, 'Creating')
    state.volumes[v.key] = v
    if (v.driverOpts.type !== 'tmpfs') fs.mkdirSync(stubPaths().volume(v.name), { recursive: true })
    progress(`Volume "${v.name}"`, 'Created')
  }
  saveState(state)

  for (const name of order) {
    const spec = /** @type {import('./compose-normalize.mjs').Service} */ (project.services[name])
    const existing = state.containers[name]
    if (existing && !p.opts.noRecreate && (p.opts.forceRecreate || existing.configHash !== configHash(spec))) {
      progress(`Container ${existing.name}`, 'Recreate')
      stopContainer(state, existing)
      removeContainer(state, existing)
      createContainer(state, spec)
      progress(`Container ${existing.name}`, 'Recreated')
    } else if (!existing) {
      progress(`Container ${project.name}-${name}-1`, 'Creating')
      createContainer(state, spec)
      progress(`Container ${project.name}-${name}-1`, 'Created')
    } else if (existing.state === 'running') {
      progress(`Container ${existing.name}`, 'Running')
    }
    saveState(state)
  }
  if (p.opts.noStart) return

  const deadline = Date.now() + waitSeconds * 1000
  for (const name of order) {
    const c = /** @type {Container} */ (state.containers[name])
    for (const [dep, d] of Object.entries(c.spec.dependsOn)) {
      const dc = state.containers[dep]
      if (!dc) {
        if (d.required) throw new StubError(`service "${dep}" not found (required by ${name})`)
        continue
      }
      const loud = d.condition !== 'service_started'
      if (loud) progress(`Container ${dc.name}`, 'Waiting')
      await waitFor(() => dependencyReady(state, dc, d.condition), deadline, () => `application not healthy after ${goDuration(waitSeconds)}`)
      if (loud) progress(`Container ${dc.name}`, d.condition === 'service_healthy' ? 'Healthy' : 'Exited')
    }
    if (c.state !== 'running') {
      progress(`Container ${c.name}`, 'Starting')
      await startContainer(state, c)
      saveState(state)
      progress(`Container ${c.name}`, 'Started')
    }
  }
  if (!p.opts.wait) return
  for (const name of order) {
    const c = /** @type {Container} */ (state.containers[name])
    progress(`Container ${c.name}`, 'Waiting')
    await waitFor(
      () => {
        if (c.state === 'exited') return `container ${c.name} exited (${c.exitCode})`
        const h = healthOf(state, c, readFaults())
        if (h === 'unhealthy') return `container ${c.name} is unhealthy`
        return c.state === 'running' ? true : null
      },
      deadline,
      () => `application not healthy after ${goDuration(waitSeconds)}`,
    )
    progress(`Container ${c.name}`, effectiveHealthcheck(c.spec) ? 'Healthy' : 'Started')
  }
}
