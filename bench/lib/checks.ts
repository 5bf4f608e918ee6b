// Whether a finished run counts (right exit code, really a no-change run …), why not in one line,
// and the per-phase timings authctl's --json may carry.
import type { Measured } from './proc.js'

interface AuthctlJson {
  hosts?: { host: string; status?: string; error?: { message: string }; timings?: unknown; phases?: unknown }[]
  timings?: unknown
  phases?: unknown
}

function parseAuthctl(stdout: string): AuthctlJson | undefined {
  try {
    const json: unknown = JSON.parse(stdout)
    return typeof json === 'object' && json !== null ? (json as AuthctlJson) : undefined
  } catch {
    return undefined
  }
}

// Why a run failed, in a line: authctl's per-host errors from --json, Ansible's fatal lines.
export function failureText(m: Measured): string {
  const errors = (parseAuthctl(m.stdout)?.hosts ?? []).filter((h) => h.error).map((h) => `${h.host}: ${h.error?.message ?? ''}`)
  if (errors.length > 0) return errors.slice(0, 3).join(' | ').slice(0, 600)
  const fatal = m.stdout.split('\n').filter((l) => /^(fatal|failed):/.test(l))
  if (fatal.length > 0) return fatal.slice(0, 3).join(' | ').slice(0, 600)
  return `${m.stderr.trim().slice(-300)} ${m.stdout.trim().slice(-300)}`
}

// Exit 0, else why not.
export const exitZero = (m: Measured): string | undefined => (m.code === 0 ? undefined : `exit ${String(m.code)}: ${failureText(m)}`)

// A no-change authctl run must report every host `ok` (nothing written, nothing restarted).
export function authctlNoChange(m: Measured): string | undefined {
  const bad = exitZero(m)
  if (bad) return bad
  const hosts = parseAuthctl(m.stdout)?.hosts
  if (!hosts) return 'no --json result on stdout'
  const changed = hosts.filter((h) => h.status !== 'ok').map((h) => `${h.host}=${String(h.status)}`)
  return changed.length > 0 ? `not a no-change run: ${changed.join(' ')}` : undefined
}

// An authctl run that changes hosts (restart): exit 0 and a --json result naming every host.
export function authctlAllHosts(hostCount: number): (m: Measured) => string | undefined {
  return (m) => {
    const bad = exitZero(m)
    if (bad) return bad
    const hosts = parseAuthctl(m.stdout)?.hosts
    if (!hosts) return 'no --json result on stdout'
    return hosts.length === hostCount ? undefined : `--json names ${hosts.length} of ${hostCount} hosts`
  }
}

// On a no-change Ansible run only the `command` task (compose up) may report changed.
export function ansibleNoChange(m: Measured): string | undefined {
  const bad = exitZero(m)
  if (bad) return bad
  const recap = [...m.stdout.matchAll(/changed=(\d+)/g)].map((x) => Number(x[1]))
  return recap.some((n) => n > 1) ? 'not a no-change run: a file task reported changed' : undefined
}

function numbers(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const entries = Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number')
  return entries.length > 0 ? Object.fromEntries(entries) : undefined
}

// Milliseconds per phase (connect, state read, render, Vault, write, converge …) when authctl's
// --json has them: the run's spans from a top-level `timings` or `phases` object, and the slowest
// host's time in each of its steps as `host.<step>` (both when --json carries both).
export function phasesOf(stdout: string): Record<string, number> | undefined {
  const json = parseAuthctl(stdout)
  if (!json) return undefined
  const out: Record<string, number> = { ...(numbers(json.timings) ?? numbers(json.phases) ?? {}) }
  for (const h of json.hosts ?? []) {
    for (const [k, v] of Object.entries(numbers(h.timings) ?? numbers(h.phases) ?? {})) out[`host.${k}`] = Math.max(out[`host.${k}`] ?? 0, v)
  }
  return Object.keys(out).length > 0 ? out : undefined
}
