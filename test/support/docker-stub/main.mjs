// @ts-check
// Entry point of the `docker` stand-in: `docker [--version|version|compose ...]`.
import process from 'node:process'
import { StubError, EXIT_FILE_NOT_FOUND, EXIT_SYNTAX } from './errors.mjs'
import { parseFlags, optList, optString, GLOBAL_FLAGS } from './cli-args.mjs'
import { connectDaemon } from './daemon.mjs'
import { withLock } from './store.mjs'
import { COMPOSE_VERSION, DOCKER_VERSION, API_VERSION } from './version.mjs'

const STATE_ONLY_VERBS = new Set(['ps', 'logs', 'exec', 'restart', 'stop', 'start', 'down'])

// Loaded lazily: `version` must not pay for the YAML parser.
/** @param {import('./cli-args.mjs').Parsed} globals @param {string} verb @returns {Promise<import('./verb-lifecycle.mjs').ProjectRef>} */
async function projectFor(globals, verb) {
  const { loadProject } = await import('./compose-load.mjs')
  const opts = { file: optList(globals, 'file'), project: optString(globals, 'project'), projectDirectory: optString(globals, 'projectDirectory') }
  try {
    return loadProject(opts)
  } catch (err) {
    // Like compose, `-p NAME` alone is enough for verbs that only need the existing containers.
    const noFile = err instanceof StubError && err.exitCode === EXIT_FILE_NOT_FOUND && opts.file.length === 0
    if (noFile && opts.project && STATE_ONLY_VERBS.has(verb)) return { name: opts.project, services: null }
    throw err
  }
}

/** @param {string[]} argv @returns {Promise<number>} */
async function compose(argv) {
  const globals = parseFlags(argv, GLOBAL_FLAGS, 'docker compose', true)
  const [verb, ...rest] = globals.rest
  if (verb === undefined) throw new StubError(`Usage:  docker compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with Docker`, 0)
  if (verb === 'version') {
    const p = parseFlags(rest, { bool: { '--short': 'short' }, value: { '-f': 'format', '--format': 'format' } }, 'docker compose version')
    if (p.opts.short) process.stdout.write(`${COMPOSE_VERSION}\n`)
    else if (optString(p, 'format') === 'json') process.stdout.write(`{"version":"v${COMPOSE_VERSION}"}\n`)
    else process.stdout.write(`Docker Compose version v${COMPOSE_VERSION}\n`)
    return 0
  }
  if (verb === 'config') {
    const { config } = await import('./verb-config.mjs')
    await config(/** @type {import('./compose-load.mjs').Project} */ (await projectFor(globals, verb)), rest)
    return 0
  }
  if (verb === 'up') {
    const project = /** @type {import('./compose-load.mjs').Project} */ (await projectFor(globals, verb))
    await connectDaemon(verb)
    const { up } = await import('./verb-up.mjs')
    await withLock(() => up(project, rest))
    return 0
  }
  if (STATE_ONLY_VERBS.has(verb)) {
    const project = await projectFor(globals, verb)
    await connectDaemon(verb)
    if (verb === 'ps') return (await import('./verb-ps.mjs')).ps(project, rest).then(() => 0)
    if (verb === 'logs') return (await import('./verb-logs.mjs')).logs(project, rest).then(() => 0)
    if (verb === 'exec') return (await import('./verb-exec.mjs')).exec(project, rest)
    const lifecycle = await import('./verb-lifecycle.mjs')
    const fn = verb === 'restart' ? lifecycle.restart : verb === 'stop' ? lifecycle.stop : verb === 'start' ? lifecycle.start : lifecycle.down
    await withLock(() => fn(project, rest))
    return 0
  }
  throw new StubError(`unknown docker command: "compose ${verb}"`, EXIT_SYNTAX)
}

/** @param {string[]} argv @returns {Promise<number>} */
async function run(argv) {
  const [cmd, ...rest] = argv
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`Docker version ${DOCKER_VERSION}, build e6534b4\n`)
    return 0
  }
  if (cmd === 'version') {
    process.stdout.write(`Client:\n Version:           ${DOCKER_VERSION}\n API version:       ${API_VERSION}\n OS/Arch:           linux/amd64\n Context:           default\n`)
    await connectDaemon('version', `/v${API_VERSION}/version`)
    process.stdout.write(`\nServer: Docker Engine - Community (docker-stub)\n Engine:\n  Version:          ${DOCKER_VERSION}\n  API version:      ${API_VERSION} (minimum version 1.24)\n`)
    return 0
  }
  if (cmd === 'compose') return compose(rest)
  throw new StubError(`docker: unknown command: docker ${cmd ?? ''}\n\nRun 'docker --help' for more information`)
}

// Runs the CLI and sets the exit status; a StubError prints only its message, like docker.
/** @param {string[]} argv */
export async function main(argv) {
  try {
    process.exitCode = await run(argv)
  } catch (err) {
    if (err instanceof StubError) {
      if (err.message) process.stderr.write(`${err.message}\n`)
      process.exitCode = err.exitCode
    } else {
      process.stderr.write(`docker-stub: internal error: ${err instanceof Error ? err.stack : String(err)}\n`)
      process.exitCode = 1
    }
  }
}
