// @ts-check
// Turns a validated compose mapping into typed services/volumes and checks cross-references like compose-go.
import process from 'node:process'
import fs from 'node:fs'
import path from 'node:path'
import { StubError, EXIT_PARSE_FAILURE, EXIT_FILE_NOT_FOUND } from './errors.mjs'
import { isMap } from './compose-validate.mjs'

/** @typedef {{type: 'bind' | 'volume' | 'tmpfs', source: string, target: string, readOnly: boolean}} Mount */
/** @typedef {{condition: string, restart: boolean, required: boolean}} Dependency */
/** @typedef {{test: string[], interval: string, timeout: string, retries: number, startPeriod: string}} Healthcheck */
/**
 * @typedef {object} Service
 * @property {string} name
 * @property {string} image
 * @property {string[] | null} command
 * @property {string[] | null} entrypoint
 * @property {string | null} user
 * @property {Record<string, string | null>} environment
 * @property {Mount[]} mounts
 * @property {Record<string, Dependency>} dependsOn
 * @property {Healthcheck | null} healthcheck
 * @property {string[]} ports
 * @property {string} restart
 * @property {string[]} envFiles
 */
/** @typedef {{key: string, name: string, driver: string, driverOpts: Record<string, string>, external: boolean}} Volume */

// Splits a string command like a POSIX shell would (quotes and backslashes), as compose's shellwords does.
/** @param {string} s @returns {string[]} */
export function shellSplit(s) {
  /** @type {string[]} */
  const out = []
  let cur = ''
  let has = false
  /** @type {string | null} */
  let quote = null
  for (let i = 0; i < s.length; i++) {
    const c = /** @type {string} */ (s[i])
    if (quote) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i]
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i]
      has = true
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
    }
  }
  if (quote) throw new StubError(`invalid command line string`, EXIT_PARSE_FAILURE)
  if (has || cur) out.push(cur)
  return out
}

/** @param {unknown} v @returns {string[] | null} */
function toArgv(v) {
  if (v === undefined || v === null) return null
  if (typeof v === 'string') return shellSplit(v)
  return /** @type {unknown[]} */ (v).map((x) => String(x))
}

/** @param {unknown} v @param {string} workingDir @param {string} service @param {number} idx @returns {Mount} */
function toMount(v, workingDir, service, idx) {
  const bindSource = (/** @type {string} */ src) =>
    path.resolve(workingDir, src.startsWith('~') ? (process.env.HOME ?? '/root') + src.slice(1) : src)
  if (typeof v === 'string') {
    const parts = v.split(':')
    if (parts.length === 1) return { type: 'volume', source: '', target: v, readOnly: false }
    const [src = '', target = '', mode = ''] = parts
    const readOnly = mode.split(',').includes('ro')
    if (/^[./~]/.test(src)) return { type: 'bind', source: bindSource(src), target, readOnly }
    return { type: 'volume', source: src, target, readOnly }
  }
  if (!isMap(v)) throw new StubError(`services.${service}.volumes.${idx} must be a string or object`, EXIT_PARSE_FAILURE)
  const type = String(v.type ?? 'volume')
  const target = String(v.target ?? '')
  const readOnly = v.read_only === true
  if (type === 'bind') return { type: 'bind', source: bindSource(String(v.source ?? '')), target, readOnly }
  if (type === 'tmpfs') return { type: 'tmpfs', source: '', target, readOnly }
  if (type === 'volume') return { type: 'volume', source: String(v.source ?? ''), target, readOnly }
  throw new StubError(`services.${service}.volumes.${idx}.type must be one of "bind", "volume", "tmpfs"`, EXIT_PARSE_FAILURE)
}

/** @param {unknown} v @returns {Record<string, Dependency>} */
function toDependsOn(v) {
  /** @type {Record<string, Dependency>} */
  const out = {}
  if (Array.isArray(v)) for (const d of v) out[String(d)] = { condition: 'service_started', restart: false, required: true }
  else if (isMap(v)) {
    for (const [d, spec] of Object.entries(v)) {
      const s = isMap(spec) ? spec : {}
      out[d] = { condition: String(s.condition ?? 'service_started'), restart: s.restart === true, required: s.required !== false }
    }
  }
  return out
}

/** @param {unknown} v @returns {Healthcheck | null} */
function toHealthcheck(v) {
  if (!isMap(v) || v.disable === true) return null
  const test = typeof v.test === 'string' ? ['CMD-SHELL', v.test] : toArgv(v.test)
  if (!test || test[0] === 'NONE') return null
  return {
    test,
    interval: String(v.interval ?? '30s'),
    timeout: String(v.timeout ?? '30s'),
    retries: Number(v.retries ?? 3),
    startPeriod: String(v.start_period ?? '0s'),
  }
}

/** @param {unknown} v @returns {Record<string, string | null>} */
function toEnvironment(v) {
  /** @type {Record<string, string | null>} */
  const out = {}
  if (Array.isArray(v)) {
    for (const e of v) {
      const s = String(e)
      const eq = s.indexOf('=')
      if (eq < 0) out[s] = null
      else out[s.slice(0, eq)] = s.slice(eq + 1)
    }
  } else if (isMap(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? null : String(val)
  }
  return out
}

/** @param {unknown} v @param {string} workingDir @returns {string[]} */
function toEnvFiles(v, workingDir) {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v]
  /** @type {string[]} */
  const out = []
  for (const e of list) {
    const file = path.resolve(workingDir, String(isMap(e) ? e.path : e))
    const required = !(isMap(e) && e.required === false)
    if (required && !fs.existsSync(file)) {
      throw new StubError(`env file ${file} not found: stat ${file}: no such file or directory`, EXIT_FILE_NOT_FOUND)
    }
    out.push(file)
  }
  return out
}

// Normalises one service mapping (the shape `config` prints and the config hash is computed from).
/** @param {string} name @param {Record<string, unknown>} raw @param {string} workingDir @returns {Service} */
export function normalizeService(name, raw, workingDir) {
  const tmpfs = raw.tmpfs === undefined ? [] : Array.isArray(raw.tmpfs) ? raw.tmpfs : [raw.tmpfs]
  /** @type {Mount[]} */
  const mounts = [
    ...(Array.isArray(raw.volumes) ? raw.volumes : []).map((v, i) => toMount(v, workingDir, name, i)),
    ...tmpfs.map((t) => /** @type {Mount} */ ({ type: 'tmpfs', source: '', target: String(t).split(':')[0], readOnly: false })),
  ]
  if (typeof raw.image !== 'string' || raw.image === '') {
    throw new StubError(`service "${name}" has neither an image nor a build context specified: invalid compose project`, EXIT_PARSE_FAILURE)
  }
  return {
    name,
    image: raw.image,
    command: toArgv(raw.command),
    entrypoint: toArgv(raw.entrypoint),
    user: typeof raw.user === 'string' ? raw.user : null,
    environment: toEnvironment(raw.environment),
    mounts,
    dependsOn: toDependsOn(raw.depends_on),
    healthcheck: toHealthcheck(raw.healthcheck),
    ports: Array.isArray(raw.ports) ? raw.ports.map((p) => String(isMap(p) ? `${p.published ?? ''}:${p.target}` : p)) : [],
    restart: typeof raw.restart === 'string' ? raw.restart : 'no',
    envFiles: toEnvFiles(raw.env_file, workingDir),
  }
}

// Top-level named volumes; `driver_opts.type: tmpfs` marks the shared tmpfs of reference §4.1.
/** @param {unknown} raw @param {string} project @returns {Record<string, Volume>} */
export function normalizeVolumes(raw, project) {
  /** @type {Record<string, Volume>} */
  const out = {}
  for (const [key, v] of Object.entries(isMap(raw) ? raw : {})) {
    const spec = isMap(v) ? v : {}
    /** @type {Record<string, string>} */
    const driverOpts = {}
    if (isMap(spec.driver_opts)) for (const [k, o] of Object.entries(spec.driver_opts)) driverOpts[k] = String(o)
    out[key] = {
      key,
      name: typeof spec.name === 'string' ? spec.name : `${project}_${key}`,
      driver: typeof spec.driver === 'string' ? spec.driver : 'local',
      driverOpts,
      external: spec.external === true,
    }
  }
  return out
}

// compose-go's consistency checks: known dependencies and volumes, no dependency cycle.
/** @param {Record<string, Service>} services @param {Record<string, Volume>} volumes */
export function checkConsistency(services, volumes) {
  for (const svc of Object.values(services)) {
    for (const dep of Object.keys(svc.dependsOn)) {
      if (!services[dep]) throw new StubError(`service "${svc.name}" depends on undefined service "${dep}": invalid compose project`, EXIT_PARSE_FAILURE)
    }
    for (const m of svc.mounts) {
      if (m.type === 'volume' && m.source && !volumes[m.source]) {
        throw new StubError(`service "${svc.name}" refers to undefined volume ${m.source}: invalid compose project`, EXIT_PARSE_FAILURE)
      }
    }
  }
  /** @type {Set<string>} */
  const done = new Set()
  /** @param {string} name @param {string[]} trail */
  const visit = (name, trail) => {
    if (trail.includes(name)) throw new StubError(`dependency cycle detected: ${[...trail, name].join(' -> ')}`, EXIT_PARSE_FAILURE)
    if (done.has(name)) return
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) visit(dep, [...trail, name])
    done.add(name)
  }
  for (const name of Object.keys(services)) visit(name, [])
}
