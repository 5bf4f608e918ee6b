// @ts-check
// Loads the project like compose v2: find the file, parse YAML, interpolate, validate, name the project.
import process from 'node:process'
import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import { StubError, EXIT_FILE_NOT_FOUND, EXIT_PARSE_FAILURE } from './errors.mjs'
import { interpolateTree } from './compose-interpolate.mjs'
import { validateSchema, isMap } from './compose-validate.mjs'
import { normalizeService, normalizeVolumes, checkConsistency } from './compose-normalize.mjs'

/**
 * @typedef {object} Project
 * @property {string} name
 * @property {string} workingDir
 * @property {string[]} configFiles
 * @property {Record<string, import('./compose-normalize.mjs').Service>} services in file order
 * @property {Record<string, import('./compose-normalize.mjs').Volume>} volumes
 */

/** @typedef {{file: string[], project?: string, projectDirectory?: string}} LoadOptions */

const DEFAULT_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']

// Compose searches the working directory and then its parents for a default file name.
/** @param {string} dir @returns {string | undefined} */
function findDefaultFile(dir) {
  for (let d = path.resolve(dir), i = 0; i < 64; i++) {
    for (const n of DEFAULT_NAMES) if (fs.existsSync(path.join(d, n))) return path.join(d, n)
    const up = path.dirname(d)
    if (up === d) return undefined
    d = up
  }
  return undefined
}

// Compose's project-name normalisation for directory names; explicit names must already be valid.
/** @param {string} name */
export function normalizeProjectName(name) {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '')
}

/** @param {string} name */
function checkProjectName(name) {
  if (name === '') throw new StubError('project name must not be empty', EXIT_PARSE_FAILURE)
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new StubError(
      `invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      EXIT_PARSE_FAILURE,
    )
  }
}

// Reads KEY=VALUE lines of the project's .env (interpolation source; the shell environment wins).
/** @param {string} file @returns {Record<string, string>} */
function readDotEnv(file) {
  /** @type {Record<string, string>} */
  const out = {}
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return out
  }
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/)
    if (!m) continue
    let v = /** @type {string} */ (m[2])
    if (/^'.*'$/.test(v) || /^".*"$/.test(v)) v = v.slice(1, -1)
    else v = v.replace(/\s+#.*$/, '')
    out[/** @type {string} */ (m[1])] = v
  }
  return out
}

// go-yaml style message for the first YAML error (compose prints `yaml: line N: ...`).
/** @param {YAML.YAMLError} err */
function yamlMessage(err) {
  const line = err.linePos?.[0]?.line ?? 1
  const first = err.message.split('\n')[0] ?? ''
  const text = first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '')
  return `yaml: line ${line}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`
}

// The project as compose would load it; throws StubError with compose's message and exit code.
/** @param {LoadOptions} opts @returns {Project} */
export function loadProject(opts) {
  const file = opts.file.length > 0 ? path.resolve(/** @type {string} */ (opts.file[0])) : findDefaultFile(opts.projectDirectory ?? process.cwd())
  if (opts.file.length > 1) throw new StubError('docker-stub: only one -f file is supported')
  if (!file) throw new StubError('no configuration file provided: not found', EXIT_FILE_NOT_FOUND)
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code)
    throw new StubError(`open ${file}: ${why}`, EXIT_FILE_NOT_FOUND)
  }
  const workingDir = path.resolve(opts.projectDirectory ?? path.dirname(file))
  const doc = YAML.parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true })
  const yamlErr = doc.errors[0]
  if (yamlErr) throw new StubError(yamlMessage(yamlErr), EXIT_PARSE_FAILURE)
  const env = { ...readDotEnv(path.join(workingDir, '.env')), ...process.env }
  /** @type {Set<string>} */
  const warned = new Set()
  const warnUnset = (/** @type {string} */ name) => {
    if (warned.has(name)) return
    warned.add(name)
    process.stderr.write(`time="${new Date().toISOString()}" level=warning msg="The \\"${name}\\" variable is not set. Defaulting to a blank string."\n`)
  }
  const raw = interpolateTree(doc.toJS({ maxAliasCount: 1000 }) ?? {}, { env, warnUnset })
  validateSchema(raw, file)
  const root = /** @type {Record<string, unknown>} */ (raw)
  const fileName = typeof root.name === 'string' ? root.name : undefined
  if (fileName !== undefined) checkProjectName(fileName)
  const name = opts.project ?? process.env.COMPOSE_PROJECT_NAME ?? fileName ?? normalizeProjectName(path.basename(workingDir))
  checkProjectName(name)
  const volumes = normalizeVolumes(root.volumes, name)
  /** @type {Project['services']} */
  const services = {}
  for (const [svcName, svc] of Object.entries(isMap(root.services) ? root.services : {})) {
    services[svcName] = normalizeService(svcName, /** @type {Record<string, unknown>} */ (svc), workingDir)
  }
  checkConsistency(services, volumes)
  return { name, workingDir, configFiles: [file], services, volumes }
}
