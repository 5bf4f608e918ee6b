// @ts-check
// `docker compose logs [--tail N] [--since T] [--until T] [--no-color] [--no-log-prefix] [-t] [-f] [service...]`.
// --since/--until take docker's forms (RFC 3339 with optional fraction, a Unix time with optional fraction,
// or a Go duration before now such as 10m or 1h30m); -f keeps printing new lines until the process is killed.
import process from 'node:process'
import { setTimeout } from 'node:timers'
import { parseFlags, optString } from './cli-args.mjs'
import { readLog } from './store.mjs'
import { stateFor, checkServices } from './project-state.mjs'

const UNITS = /** @type {Record<string, number>} */ ({ ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 })

// Milliseconds since the epoch for a --since/--until value, as docker's timetypes.GetTimestamp reads it.
/** @param {string} value @param {number} now @returns {number} */
export function logTime(value, now) {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) return now - parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 0), 0)
  // RFC 3339 with up to nanoseconds: Date keeps milliseconds, the rest is compared as text below
  const t = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'))
  if (Number.isNaN(t)) throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`)
  return t
}

/** @param {import('./verb-lifecycle.mjs').ProjectRef} project @param {string[]} argv */
export async function logs(project, argv) {
  const p = parseFlags(
    argv,
    {
      bool: { '--no-color': 'noColor', '--no-log-prefix': 'noPrefix', '-t': 'timestamps', '--timestamps': 'timestamps', '-f': 'follow', '--follow': 'follow' },
      value: { '-n': 'tail', '--tail': 'tail', '--since': 'since', '--until': 'until', '--index': 'index' },
    },
    'docker compose logs',
  )
  const state = stateFor(project)
  checkServices(project.services ? Object.keys(project.services) : Object.keys(state.containers), p.rest)
  const tailText = optString(p, 'tail') ?? 'all'
  const tail = tailText === 'all' || Number(tailText) < 0 ? Infinity : Number(tailText)
  const sinceText = optString(p, 'since')
  const untilText = optString(p, 'until')
  const now = Date.now()
  const since = sinceText === undefined ? -Infinity : logTime(sinceText, now)
  const until = untilText === undefined ? Infinity : logTime(untilText, now)
  const containers = Object.values(state.containers).filter((c) => p.rest.length === 0 || p.rest.includes(c.service))
  const width = Math.max(0, ...containers.map((c) => c.name.length))
  /** @type {Map<string, number>} lines already printed per service, for -f */
  const printed = new Map()
  /** @param {boolean} first */
  const emit = (first) => {
    /** @type {Array<{time: string, seq: number, out: string}>} */
    const merged = []
    let seq = 0
    for (const c of containers) {
      const lines = readLog(state.name, c.service)
      const fresh = lines.slice(printed.get(c.service) ?? 0)
      printed.set(c.service, lines.length)
      const inRange = fresh.filter((l) => {
        const t = Date.parse(l.time)
        return t >= since && t <= until
      })
      const kept = !first || tail === Infinity ? inRange : tail === 0 ? [] : inRange.slice(-tail)
      for (const l of kept) {
        const prefix = p.opts.noPrefix ? '' : `${c.name.padEnd(width)}  | `
        const ts = p.opts.timestamps ? `${l.time} ` : ''
        merged.push({ time: l.time, seq: seq++, out: `${prefix}${ts}${l.text}\n` })
      }
    }
    merged.sort((a, b) => (a.time === b.time ? a.seq - b.seq : a.time < b.time ? -1 : 1))
    if (merged.length > 0) process.stdout.write(merged.map((m) => m.out).join(''))
  }
  emit(true)
  if (!p.opts.follow) return
  // follows until killed (SIGTERM/SIGINT/SIGPIPE), as docker compose logs -f does
  for (;;) {
    await new Promise((r) => setTimeout(r, 200))
    emit(false)
  }
}
