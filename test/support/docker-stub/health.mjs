// @ts-check
// Container health, computed when asked (no background prober): the health check's outcome right now.
import { resolveIdentity } from './container-view.mjs'
import { runInContainer } from './exec-commands.mjs'
import { shellSplit } from './compose-normalize.mjs'

// The check in effect: the service's, else the image's HEALTHCHECK (authentik: `ak healthcheck`).
/** @param {import('./compose-normalize.mjs').Service} spec @returns {string[] | null} */
export function effectiveHealthcheck(spec) {
  if (spec.healthcheck) return spec.healthcheck.test
  if (/goauthentik\/server/.test(spec.image)) return ['CMD', 'ak', 'healthcheck']
  return null
}

// '' (no check or not running), 'healthy' or 'unhealthy'.
/** @param {import('./store.mjs').ProjectState} state @param {import('./store.mjs').Container} c @param {import('./daemon.mjs').Faults} faults @param {Set<string>} [seen] @returns {'' | 'healthy' | 'unhealthy'} */
export function healthOf(state, c, faults, seen = new Set()) {
  const test = effectiveHealthcheck(c.spec)
  if (c.state !== 'running' || !test) return ''
  if (faults.unhealthy?.includes(c.service)) return 'unhealthy'
  if (seen.has(c.service)) return 'healthy'
  seen.add(c.service)
  const commands = test[0] === 'CMD-SHELL' ? (test[1] ?? '').split('&&').map((s) => shellSplit(s.trim())) : [test.slice(1)]
  let who
  try {
    who = resolveIdentity(c.spec)
  } catch {
    return 'unhealthy'
  }
  for (const argv of commands) {
    if (argv[0] === 'ak' && argv[1] === 'healthcheck') {
      // authentik answers once its dependencies are up: a dependency that is down or unhealthy fails it.
      for (const dep of Object.keys(c.spec.dependsOn)) {
        const d = state.containers[dep]
        if (!d || d.state !== 'running' || healthOf(state, d, faults, seen) === 'unhealthy') return 'unhealthy'
      }
      continue
    }
    const known = ['test', '[', 'cat', 'true', 'false', 'stat', 'id', 'sh']
    if (!known.includes(argv[0]?.split('/').pop() ?? '')) continue
    if (runInContainer({ state, container: c, who }, argv).code !== 0) return 'unhealthy'
  }
  return 'healthy'
}
