// @ts-check
// Schema checks of the compose-spec that matter here, with compose-go's wording ("validating FILE: ...").
import { StubError, EXIT_PARSE_FAILURE } from './errors.mjs'

const ROOT_KEYS = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs'])

// Service properties of the compose-spec schema (compose v2.29); anything else is rejected.
const SERVICE_KEYS = new Set(
  ('annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name ' +
    'cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec ' +
    'depends_on deploy develop device_cgroup_rules devices dns dns_opt dns_search domainname entrypoint env_file ' +
    'environment expose extends external_links extra_hosts gpus group_add healthcheck hostname image init ipc ' +
    'isolation labels links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode ' +
    'networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged profiles ' +
    'pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period ' +
    'stop_signal storage_opt sysctls tmpfs tty ulimits user userns_mode uts volumes volumes_from working_dir').split(' '),
)
const HEALTH_KEYS = new Set(['disable', 'interval', 'retries', 'start_interval', 'start_period', 'test', 'timeout'])
const DEPENDS_KEYS = new Set(['condition', 'required', 'restart'])
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully'])
const VOLUME_KEYS = new Set(['driver', 'driver_opts', 'external', 'labels', 'name'])

/** @param {unknown} v @returns {v is Record<string, unknown>} */
export function isMap(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** @param {unknown} v */
function typeName(v) {
  if (Array.isArray(v)) return 'array'
  if (v === null) return 'null'
  return typeof v === 'object' ? 'object' : typeof v
}

// Type rules for the keys the stand-in reads; others only have to be known keys.
/** @type {Record<string, string[]>} */
const SERVICE_TYPES = {
  image: ['string'], user: ['string'], restart: ['string'], container_name: ['string'],
  command: ['string', 'array', 'null'], entrypoint: ['string', 'array', 'null'],
  volumes: ['array'], ports: ['array'], depends_on: ['array', 'object'], healthcheck: ['object'],
  environment: ['object', 'array'], env_file: ['string', 'array'], tmpfs: ['string', 'array'],
  labels: ['object', 'array'], shm_size: ['string', 'number'],
}

// Throws compose's message for the first schema violation found.
/** @param {unknown} root the interpolated YAML @param {string} file absolute path, for the message */
export function validateSchema(root, file) {
  const fail = (/** @type {string} */ msg) => new StubError(`validating ${file}: ${msg}`, EXIT_PARSE_FAILURE)
  if (!isMap(root)) throw new StubError('Top-level object must be a mapping', EXIT_PARSE_FAILURE)
  for (const k of Object.keys(root)) if (!ROOT_KEYS.has(k) && !k.startsWith('x-')) throw fail(`(root) additional properties '${k}' not allowed`)
  if (root.name !== undefined && typeof root.name !== 'string') throw fail(`name must be a string`)
  const services = root.services ?? {}
  if (!isMap(services)) throw fail(`services must be a object`)
  for (const [name, svc] of Object.entries(services)) {
    const at = `services.${name}`
    if (!isMap(svc)) throw fail(`${at} must be a object`)
    for (const [k, v] of Object.entries(svc)) {
      if (!SERVICE_KEYS.has(k) && !k.startsWith('x-')) throw fail(`${at} additional properties '${k}' not allowed`)
      const types = SERVICE_TYPES[k]
      if (types && !types.includes(typeName(v))) throw fail(`${at}.${k} must be a ${types.filter((t) => t !== 'null').join(' or ')}`)
    }
    if (isMap(svc.healthcheck)) {
      for (const k of Object.keys(svc.healthcheck)) if (!HEALTH_KEYS.has(k) && !k.startsWith('x-')) throw fail(`${at}.healthcheck additional properties '${k}' not allowed`)
    }
    if (isMap(svc.depends_on)) {
      for (const [dep, spec] of Object.entries(svc.depends_on)) {
        if (!isMap(spec)) throw fail(`${at}.depends_on.${dep} must be a object`)
        for (const k of Object.keys(spec)) if (!DEPENDS_KEYS.has(k)) throw fail(`${at}.depends_on.${dep} additional properties '${k}' not allowed`)
        if (spec.condition !== undefined && !CONDITIONS.has(String(spec.condition))) {
          throw fail(`${at}.depends_on.${dep}.condition value must be one of "service_started", "service_healthy", "service_completed_successfully"`)
        }
      }
    }
  }
  const volumes = root.volumes ?? {}
  if (!isMap(volumes)) throw fail(`volumes must be a object`)
  for (const [name, vol] of Object.entries(volumes)) {
    if (vol === null) continue
    if (!isMap(vol)) throw fail(`volumes.${name} must be a object`)
    for (const k of Object.keys(vol)) if (!VOLUME_KEYS.has(k) && !k.startsWith('x-')) throw fail(`volumes.${name} additional properties '${k}' not allowed`)
  }
}
