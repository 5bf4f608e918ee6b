// @ts-check
// `docker compose logs [--tail N] [--no-color] [--no-log-prefix] [-t] [service...]` (no follow: prints and exits).
import process from 'node:process'
import { parseFlags, optString } from './cli-args.mjs'
import { readLog } from './store.mjs'
import { stateFor, checkServices } from './project-state.mjs'

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
  const containers = Object.values(state.containers).filter((c) => p.rest.length === 0 || p.rest.includes(c.service))
  const width = Math.max(0, ...containers.map((c) => c.name.length))
  /** @type {Array<{time: string, seq: number, out: string, stream: string}>} */
  const merged = []
  let seq = 0
  for (const c of containers) {
    const lines = readLog(state.name, c.service)
    const kept = tail === Infinity ? lines : tail === 0 ? [] : lines.slice(-tail)
    for (const l of kept) {
      const prefix = p.opts.noPrefix ? '' : `${c.name.padEnd(width)}  | `
      const ts = p.opts.timestamps ? `${l.time} ` : ''
      merged.push({ time: l.time, seq: seq++, out: `${prefix}${ts}${l.text}\n`, stream: l.stream })
    }
  }
  merged.sort((a, b) => (a.time === b.time ? a.seq - b.seq : a.time < b.time ? -1 : 1))
  process.stdout.write(merged.map((m) => m.out).join(''))
}
