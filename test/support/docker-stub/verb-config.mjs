// @ts-check
// `docker compose config [-q] [--services] [--volumes] [--format yaml|json]`: validate and print the model.
import process from 'node:process'
import YAML from 'yaml'
import { parseFlags, optString } from './cli-args.mjs'

/** @param {import('./compose-normalize.mjs').Service} s */
function serviceModel(s) {
  /** @type {Record<string, unknown>} */
  const out = {}
  if (s.command) out.command = s.command
  if (Object.keys(s.dependsOn).length > 0) out.depends_on = Object.fromEntries(Object.entries(s.dependsOn).map(([k, d]) => [k, { condition: d.condition, required: d.required, restart: d.restart }]))
  if (s.entrypoint) out.entrypoint = s.entrypoint
  if (Object.keys(s.environment).length > 0) out.environment = s.environment
  if (s.healthcheck) {
    out.healthcheck = { test: s.healthcheck.test, timeout: s.healthcheck.timeout, interval: s.healthcheck.interval, retries: s.healthcheck.retries, start_period: s.healthcheck.startPeriod }
  }
  out.image = s.image
  out.networks = { default: null }
  if (s.ports.length > 0) out.ports = s.ports.map((p) => {
    const [pub = '', target = pub] = p.split(':').slice(-2)
    return { mode: 'ingress', target: Number(target), published: pub, protocol: 'tcp' }
  })
  if (s.restart !== 'no') out.restart = s.restart
  if (s.user !== null) out.user = s.user
  if (s.mounts.length > 0) {
    out.volumes = s.mounts.map((m) => ({
      type: m.type,
      ...(m.source ? { source: m.source } : {}),
      target: m.target,
      ...(m.readOnly ? { read_only: true } : {}),
      ...(m.type === 'bind' ? { bind: { create_host_path: true } } : m.type === 'volume' ? { volume: {} } : {}),
    }))
  }
  return out
}

/** @param {import('./compose-load.mjs').Project} project @param {string[]} argv */
export async function config(project, argv) {
  const p = parseFlags(
    argv,
    { bool: { '-q': 'quiet', '--quiet': 'quiet', '--services': 'services', '--volumes': 'volumes', '--no-interpolate': 'noInterpolate', '--resolve-image-digests': 'digests', '--no-normalize': 'noNormalize' }, value: { '--format': 'format', '-o': 'output', '--output': 'output' } },
    'docker compose config',
  )
  if (p.opts.quiet) return
  if (p.opts.services) return void process.stdout.write(Object.keys(project.services).map((s) => `${s}\n`).join(''))
  if (p.opts.volumes) return void process.stdout.write(Object.keys(project.volumes).map((v) => `${v}\n`).join(''))
  const model = {
    name: project.name,
    services: Object.fromEntries(Object.values(project.services).map((s) => [s.name, serviceModel(s)])),
    networks: { default: { name: `${project.name}_default` } },
    ...(Object.keys(project.volumes).length > 0
      ? { volumes: Object.fromEntries(Object.values(project.volumes).map((v) => [v.key, { name: v.name, driver: v.driver, ...(Object.keys(v.driverOpts).length > 0 ? { driver_opts: v.driverOpts } : {}) }])) }
      : {}),
  }
  const format = optString(p, 'format') ?? 'yaml'
  process.stdout.write(format === 'json' ? JSON.stringify(model, null, 2) + '\n' : YAML.stringify(model, { lineWidth: 0 }))
}
