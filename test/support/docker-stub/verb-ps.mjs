// @ts-check
// `docker compose ps [-a] [-q] [--services] [--status S] [--format json|table|TEMPLATE] [services]`.
import process from 'node:process'
import { parseFlags, optString, optList } from './cli-args.mjs'
import { healthOf } from './health.mjs'
import { readFaults } from './daemon.mjs'
import { stateFor, checkServices } from './project-state.mjs'
import { COMPOSE_VERSION } from './version.mjs'

/** @typedef {import('./store.mjs').Container} Container */

// go-units HumanDuration, used by docker for "Up 5 seconds" / "2 minutes ago".
/** @param {number} ms */
export function humanDuration(ms) {
  const s = Math.floor(ms / 1000)
  if (s < 1) return 'Less than a second'
  if (s === 1) return '1 second'
  if (s < 60) return `${s} seconds`
  const m = Math.floor(s / 60)
  if (m === 1) return 'About a minute'
  if (m < 60) return `${m} minutes`
  const h = Math.round(s / 3600)
  if (h === 1) return 'About an hour'
  if (h < 48) return `${h} hours`
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`
  return `${Math.floor(h / 24 / 7)} weeks`
}

/** @param {string} s @param {number} n */
const ellipsis = (s, n) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s)

/** @param {string} iso Go's time.Time.String() in UTC */
const goTime = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`

// One container in the compose >= 2.21 `ps --format json` shape (docker/cli container formatter keys).
/** @param {import('./store.mjs').ProjectState} state @param {Container} c */
export function psEntry(state, c) {
  const now = Date.now()
  const health = healthOf(state, c, readFaults())
  const running = c.state === 'running'
  let status = 'Created'
  if (running) status = `Up ${humanDuration(now - Date.parse(c.startedAt))}${health ? ` (${health})` : ''}`
  else if (c.state === 'exited') status = `Exited (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`
  const publishers = running
    ? c.spec.ports.map((p) => {
        const [pub = '', target = pub] = p.replace(/\/\w+$/, '').split(':').slice(-2)
        return { URL: '0.0.0.0', TargetPort: Number(target), PublishedPort: Number(pub), Protocol: 'tcp' }
      })
    : []
  const labels = {
    'com.docker.compose.config-hash': c.configHash,
    'com.docker.compose.container-number': '1',
    'com.docker.compose.depends_on': Object.entries(c.spec.dependsOn).map(([d, v]) => `${d}:${v.condition}:${v.restart}`).join(','),
    'com.docker.compose.image': c.spec.image,
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.project': state.name,
    'com.docker.compose.project.config_files': state.configFiles.join(','),
    'com.docker.compose.project.working_dir': state.workingDir,
    'com.docker.compose.service': c.service,
    'com.docker.compose.version': COMPOSE_VERSION,
  }
  const volumeMounts = c.spec.mounts.filter((m) => m.type === 'volume')
  return {
    Command: JSON.stringify(ellipsis([...(c.spec.entrypoint ?? []), ...(c.spec.command ?? [])].join(' '), 20)),
    CreatedAt: goTime(c.createdAt),
    ExitCode: c.exitCode,
    Health: health,
    ID: c.id.slice(0, 12),
    Image: c.spec.image,
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(volumeMounts.length),
    Mounts: c.spec.mounts.map((m) => ellipsis(m.type === 'volume' ? state.volumes[m.source]?.name ?? m.source : m.source, 15)).filter(Boolean).join(','),
    Name: c.name,
    Names: c.name,
    Networks: `${state.name}_default`,
    Ports: publishers.map((p) => `${p.URL}:${p.PublishedPort}->${p.TargetPort}/${p.Protocol}`).join(', '),
    Project: state.name,
    Publishers: publishers,
    RunningFor: `${humanDuration(now - Date.parse(c.createdAt))} ago`,
    Service: c.service,
    Size: '0B',
    State: c.state,
    Status: status,
  }
}

/** @param {import('./verb-lifecycle.mjs').ProjectRef} project @param {string[]} argv */
export async function ps(project, argv) {
  const p = parseFlags(
    argv,
    { bool: { '-a': 'all', '--all': 'all', '-q': 'quiet', '--quiet': 'quiet', '--services': 'services', '--no-trunc': 'noTrunc', '--orphans': 'orphans' }, value: { '--format': 'format', '--status': 'status', '--filter': 'filter' } },
    'docker compose ps',
  )
  const state = stateFor(project)
  checkServices(project.services ? Object.keys(project.services) : Object.keys(state.containers), p.rest)
  const statuses = optList(p, 'status')
  const list = Object.values(state.containers)
    .filter((c) => p.rest.length === 0 || p.rest.includes(c.service))
    .filter((c) => (statuses.length > 0 ? statuses.includes(c.state) : p.opts.all || c.state === 'running'))
    .sort((a, b) => a.name.localeCompare(b.name))
  if (p.opts.services) return void process.stdout.write(list.map((c) => `${c.service}\n`).join(''))
  if (p.opts.quiet) return void process.stdout.write(list.map((c) => `${c.id}\n`).join(''))
  const format = optString(p, 'format') ?? 'table'
  const entries = list.map((c) => psEntry(state, c))
  if (format === 'json') return void process.stdout.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
  if (format !== 'table') {
    const line = (/** @type {Record<string, unknown>} */ e) => format.replace(/\{\{\s*(?:json\s+)?\.(\w+)\s*\}\}/g, (_, k) => String(e[k] ?? ''))
    return void process.stdout.write(entries.map((e) => `${line(e)}\n`).join(''))
  }
  const rows = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], ...entries.map((e) => [e.Name, e.Image, e.Command, e.Service, e.RunningFor, e.Status, e.Ports])]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  process.stdout.write(rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd() + '\n').join(''))
}
