// @ts-check
// `docker compose exec [-T] [-u USER] SERVICE CMD...` for the small command set of exec-commands.mjs.
import process from 'node:process'
import { parseFlags, optString } from './cli-args.mjs'
import { StubError } from './errors.mjs'
import { resolveIdentity } from './container-view.mjs'
import { runInContainer } from './exec-commands.mjs'
import { stateFor, checkServices } from './project-state.mjs'

// Returns the command's exit status (docker compose exec passes it through).
/** @param {import('./verb-lifecycle.mjs').ProjectRef} project @param {string[]} argv @returns {Promise<number>} */
export async function exec(project, argv) {
  const p = parseFlags(
    argv,
    {
      bool: { '-T': 'noTty', '--no-TTY': 'noTty', '-d': 'detach', '--detach': 'detach', '--privileged': 'privileged', '-i': 'interactive', '--interactive': 'interactive', '-t': 'tty', '--tty': 'tty' },
      value: { '-u': 'user', '--user': 'user', '-w': 'workdir', '--workdir': 'workdir', '-e': 'env', '--env': 'env', '--index': 'index' },
    },
    'docker compose exec',
    true,
  )
  const [service, ...cmd] = p.rest
  if (!service || cmd.length === 0) throw new StubError(`"docker compose exec" requires at least 2 arguments.\nSee 'docker compose exec --help'.`, 16)
  const state = stateFor(project)
  checkServices(project.services ? Object.keys(project.services) : Object.keys(state.containers), [service])
  const c = state.containers[service]
  if (!c || c.state !== 'running') throw new StubError(`service "${service}" is not running`)
  let who
  try {
    who = resolveIdentity(c.spec, optString(p, 'user') ?? null)
  } catch (err) {
    throw new StubError(`Error response from daemon: ${/** @type {Error} */ (err).message}`, 126)
  }
  const r = runInContainer({ state, container: c, who }, cmd)
  process.stdout.write(r.stdout)
  process.stderr.write(r.stderr)
  return r.code
}
