// The scenario table: one row per timed command. To add one (say a rolling restart against
// Ansible's `serial: 1`), add a row with the host state it needs and the one it leaves, and point
// the Ansible row's `versus` at the authctl row it is compared with.
import { join } from 'node:path'
import type { Testbed } from '../../test/support/testbed/index.js'
import type { HostsState } from './bed-control.js'
import type { Measured } from './proc.js'

// Everything a scenario may use to build its command line.
export interface BenchContext {
  bed: Testbed
  hosts: number
  /** node <runJs> runs the snapshotted CLI (lib/snapshot.ts) */
  runJs: string
  /** bench/setup.yml and the vars file written for it */
  playbook: string
  varsFile: string
  authctlEnv: NodeJS.ProcessEnv
  ansibleEnv: NodeJS.ProcessEnv
}

export interface Command {
  file: string
  args: string[]
  env: NodeJS.ProcessEnv
}

export interface Scenario {
  id: string
  tool: 'authctl' | 'ansible' | 'baseline'
  label: string
  /** host state the run needs; undefined: the run does not touch the hosts */
  needs?: HostsState
  /** host state after a successful run */
  leaves?: HostsState
  /** for Ansible (and baseline) rows: the authctl row the ratio is taken against */
  versus?: string
  /** new secret-ids for the Ansible vars file before the run (untimed, as the runbook mints them first) */
  mintsForAnsible?: boolean
  /** skip at this host count (e.g. forks=N equals forks=5 below 6 hosts) */
  skip?: (hosts: number) => boolean
  timeoutMs: (hosts: number) => number
  command: (ctx: BenchContext) => Command
  /** why a finished run does not count (wrong exit code, not really a no-change run …) */
  invalid?: (m: Measured) => string | undefined
}

const node = process.execPath
const setupArgs = (ctx: BenchContext) => ['setup', '-i', ctx.bed.inventoryPath, '--known-hosts', ctx.bed.knownHostsPath, '--json']
const playbook = (ctx: BenchContext, forks: number): Command => ({
  file: 'ansible-playbook',
  args: ['-i', ctx.bed.inventoryPath, '-f', String(forks), '-e', `@${ctx.varsFile}`, ctx.playbook],
  env: ctx.ansibleEnv,
})

// Why a run failed, in a line: authctl's per-host errors from --json, Ansible's fatal lines.
function failureText(m: Measured): string {
  try {
    const hosts = (JSON.parse(m.stdout) as { hosts?: { host: string; error?: { message: string } }[] }).hosts ?? []
    const errors = hosts.filter((h) => h.error).map((h) => `${h.host}: ${h.error?.message ?? ''}`)
    if (errors.length > 0) return errors.slice(0, 3).join(' | ').slice(0, 600)
  } catch {
    // not authctl's JSON: fall through to Ansible's output or the raw tail
  }
  const fatal = m.stdout.split('\n').filter((l) => /^(fatal|failed):/.test(l))
  if (fatal.length > 0) return fatal.slice(0, 3).join(' | ').slice(0, 600)
  return `${m.stderr.trim().slice(-300)} ${m.stdout.trim().slice(-300)}`
}

const exitZero = (m: Measured) => (m.code === 0 ? undefined : `exit ${String(m.code)}: ${failureText(m)}`)

// A no-change authctl run must report every host `ok` (nothing written, nothing restarted).
function authctlNoChange(m: Measured): string | undefined {
  const bad = exitZero(m)
  if (bad) return bad
  const hosts = (JSON.parse(m.stdout) as { hosts: { host: string; status: string }[] }).hosts
  const changed = hosts.filter((h) => h.status !== 'ok').map((h) => `${h.host}=${h.status}`)
  return changed.length > 0 ? `not a no-change run: ${changed.join(' ')}` : undefined
}

// On a no-change Ansible run only the `command` task (compose up) may report changed.
function ansibleNoChange(m: Measured): string | undefined {
  const bad = exitZero(m)
  if (bad) return bad
  const recap = [...m.stdout.matchAll(/changed=(\d+)/g)].map((x) => Number(x[1]))
  return recap.some((n) => n > 1) ? 'not a no-change run: a file task reported changed' : undefined
}

const long = (perHostMs: number, floorMs: number) => (hosts: number) => Math.max(floorMs, hosts * perHostMs)
const fiveForks = 5

export const SCENARIOS: Scenario[] = [
  {
    id: 'authctl-first', tool: 'authctl', label: 'setup, first run (fresh hosts)', needs: 'fresh', leaves: 'authctl',
    timeoutMs: long(10_000, 180_000), command: (ctx) => ({ file: node, args: [ctx.runJs, ...setupArgs(ctx)], env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'authctl-nochange', tool: 'authctl', label: 'setup, no-change run', needs: 'authctl', leaves: 'authctl',
    timeoutMs: long(5_000, 120_000), command: (ctx) => ({ file: node, args: [ctx.runJs, ...setupArgs(ctx)], env: ctx.authctlEnv }), invalid: authctlNoChange,
  },
  {
    id: 'authctl-first-forksN', tool: 'authctl', label: 'setup, first run, --forks N', needs: 'fresh', leaves: 'authctl', skip: (n) => n <= 10,
    timeoutMs: long(10_000, 180_000), command: (ctx) => ({ file: node, args: [ctx.runJs, ...setupArgs(ctx), '--forks', String(ctx.hosts)], env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'authctl-nochange-forksN', tool: 'authctl', label: 'setup, no-change run, --forks N', needs: 'authctl', leaves: 'authctl', skip: (n) => n <= 10,
    timeoutMs: long(5_000, 120_000), command: (ctx) => ({ file: node, args: [ctx.runJs, ...setupArgs(ctx), '--forks', String(ctx.hosts)], env: ctx.authctlEnv }), invalid: authctlNoChange,
  },
  {
    id: 'ansible-first-f5', tool: 'ansible', label: 'ansible-playbook, first run, forks 5', needs: 'fresh', leaves: 'ansible', versus: 'authctl-first', mintsForAnsible: true,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, fiveForks), invalid: exitZero,
  },
  {
    id: 'ansible-nochange-f5', tool: 'ansible', label: 'ansible-playbook, no-change run, forks 5', needs: 'ansible', leaves: 'ansible', versus: 'authctl-nochange',
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, fiveForks), invalid: ansibleNoChange,
  },
  {
    id: 'ansible-first-fN', tool: 'ansible', label: 'ansible-playbook, first run, forks N', needs: 'fresh', leaves: 'ansible', versus: 'authctl-first', mintsForAnsible: true, skip: (n) => n <= fiveForks,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.hosts), invalid: exitZero,
  },
  {
    id: 'ansible-nochange-fN', tool: 'ansible', label: 'ansible-playbook, no-change run, forks N', needs: 'ansible', leaves: 'ansible', versus: 'authctl-nochange', skip: (n) => n <= fiveForks,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.hosts), invalid: ansibleNoChange,
  },
  {
    id: 'authctl-help', tool: 'authctl', label: 'authctl --help (cold start)',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: node, args: [ctx.runJs, '--help'], env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'ansible-help', tool: 'ansible', label: 'ansible-playbook --help (cold start)', versus: 'authctl-help',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: 'ansible-playbook', args: ['--help'], env: ctx.ansibleEnv }), invalid: exitZero,
  },
  {
    id: 'authctl-inventory', tool: 'authctl', label: 'authctl inventory --list (cold start)',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: node, args: [ctx.runJs, 'inventory', '--list', '-i', ctx.bed.inventoryPath], env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'ansible-inventory', tool: 'ansible', label: 'ansible-inventory --list (cold start)', versus: 'authctl-inventory',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: 'ansible-inventory', args: ['-i', ctx.bed.inventoryPath, '--list'], env: ctx.ansibleEnv }), invalid: exitZero,
  },
  {
    id: 'node-empty', tool: 'baseline', label: "node -e '' (machine baseline)", versus: 'authctl-help',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: node, args: ['-e', ''], env: ctx.authctlEnv }), invalid: exitZero,
  },
]

// The default order of one round: authctl's block and Ansible's, swapped every other round (A/B, B/A).
export function roundOrder(selected: readonly Scenario[], round: number): Scenario[] {
  const hostA = selected.filter((s) => s.needs !== undefined && s.tool === 'authctl')
  const hostB = selected.filter((s) => s.needs !== undefined && s.tool === 'ansible')
  const cold = selected.filter((s) => s.needs === undefined)
  const coldPairs = round % 2 === 0 ? cold : [...cold].reverse()
  return round % 2 === 0 ? [...hostA, ...hostB, ...coldPairs] : [...hostB, ...hostA, ...coldPairs]
}

// The path of the playbook beside this folder.
export const PLAYBOOK = join(import.meta.dirname, '..', 'setup.yml')
