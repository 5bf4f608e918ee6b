// Process bookkeeping by PID: the test bed never kills by name, only PIDs it recorded, and checks
// /proc first so a recycled PID belonging to someone else is left alone.
import { readFileSync, readdirSync } from 'node:fs'
import { waitUntil } from '../wait-for.js'

// True when a process with this PID exists (zombies count as gone).
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return statField(stat, 2) !== 'Z'
  } catch {
    return false
  }
}

// True when the PID is alive and its command line contains marker (e.g. our sshd config path).
export function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
    return isAlive(pid) && cmdline.includes(marker)
  } catch {
    return false
  }
}

// Field n (0-based, after the pid) of /proc/PID/stat; the command name may hold spaces and parens.
function statField(stat: string, n: number): string | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return rest[n - 2]
}

// The PID and all its descendants, found through /proc parent links; sshd's session children
// call setsid, so a process-group kill would miss them.
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(statField(readFileSync(`/proc/${entry}/stat`, 'utf8'), 3))
      const list = children.get(ppid) ?? []
      list.push(Number(entry))
      children.set(ppid, list)
    } catch {
      // The process exited while we listed /proc: nothing to collect.
    }
  }
  const tree: number[] = []
  const queue = [root]
  while (queue.length > 0 && tree.length < 10_000) {
    const pid = queue.shift() as number
    tree.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return tree
}

// Terminates the given PIDs (SIGTERM, then SIGKILL after graceMs) and waits until they are gone.
export async function killAll(pids: number[], graceMs = 3_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig)
      } catch {
        // Already gone.
      }
    }
  }
  signal('SIGTERM')
  const allGone = () => !pids.some(isAlive)
  if (await waitUntil(allGone, graceMs, 25)) return
  signal('SIGKILL')
  await waitUntil(allGone, 2_000, 25)
}

// Stops a recorded process and everything it spawned, if it is still the process we started.
export async function stopTree(pid: number, marker: string): Promise<void> {
  if (!isOurs(pid, marker)) return
  await killAll(processTree(pid))
}
