// @ts-check
// Where the stand-in keeps its state: /data/.docker-stub (private per host), overridable for tests.
import process from 'node:process'
import path from 'node:path'

// Tests run the stand-in against a temp dir instead of /data; nothing else should set this.
export function stubRoot() {
  return process.env.DOCKER_STUB_ROOT ?? '/data/.docker-stub'
}

// All paths derive from a root so the test helpers (state.mjs) can read another host's data dir.
export function stubPaths(root = stubRoot()) {
  return {
    root,
    faults: path.join(root, 'faults.json'),
    lock: path.join(root, 'lock'),
    /** @param {string} project */
    project: (project) => path.join(root, 'projects', `${project}.json`),
    /** @param {string} project @param {string} service */
    log: (project, service) => path.join(root, 'logs', project, `${service}.log`),
    /** @param {string} name docker's volume name, <project>_<key> unless the file sets `name:` */
    volume: (name) => path.join(root, 'volumes', name),
  }
}
