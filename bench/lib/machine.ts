// What the numbers were measured on: CPU, memory, tool versions and how busy the machine was.
import { spawnSync } from 'node:child_process'
import { cpus, loadavg, release, totalmem } from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cores: number
  memGiB: number
  kernel: string
  node: string
  ansible: string
  openssh: string
  uptimeAtStart: string
  uptimeAtEnd?: string
}

function tool(file: string, args: string[], pick: (out: string) => string): string {
  // ssh -V prints to stderr, the others to stdout: read both
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error || r.status !== 0) return 'unknown'
  return pick(`${r.stdout}${r.stderr}`)
}

// CPU seconds the whole machine has spent busy since boot (every process, the test-bed hosts included),
// from /proc/stat: the difference over a run says how much of the cores the run kept busy.
export async function machineBusyS(): Promise<number | undefined> {
  try {
    const { readFile } = await import('node:fs/promises')
    const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '))
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
    const f = (line ?? '').trim().split(/\s+/).slice(1).map(Number)
    if (f.length < 8 || f.some((n) => !Number.isFinite(n))) return undefined
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f
    return (user + nice + system + irq + softirq + steal) / 100
  } catch {
    return undefined
  }
}

// Runs fn and says how many CPU seconds the whole machine was busy meanwhile (undefined without /proc/stat).
export async function withMachineCpu<T>(fn: () => Promise<T>): Promise<{ result: T; machineCpuS?: number }> {
  const before = await machineBusyS()
  const result = await fn()
  const after = await machineBusyS()
  return before !== undefined && after !== undefined ? { result, machineCpuS: after - before } : { result }
}

// `uptime` as the shell prints it (load averages over 1, 5 and 15 minutes).
export function uptimeLine(): string {
  return tool('uptime', [], (o) => o.trim()) || `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`
}

// Collects the machine description once, at the start of a bench run.
export function machineInfo(): MachineInfo {
  const cpu = cpus()
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    ansible: tool('ansible-playbook', ['--version'], (o) => o.split('\n')[0]?.trim() ?? 'unknown'),
    openssh: tool('ssh', ['-V'], (o) => o.trim()),
    uptimeAtStart: uptimeLine(),
  }
}
