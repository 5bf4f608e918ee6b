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
