// The scenario table: one row per timed command. To add one, give it the host state it needs and
// the one it leaves, and point a rival row's `versus` at the authctl row it is compared with.
import { join } from 'node:path'
import type { Testbed } from '../../test/support/testbed/index.js'
import { tunedForks } from './ansible-config.js'
import type { HostsState } from './bed-control.js'
import { ansibleNoChange, authctlAllHosts, authctlNoChange, exitZero } from './checks.js'
import { floorArgv } from './floor.js'
import type { Measured } from './proc.js'
import { writeReplay } from './replay.js'

// Everything a scenario may use to build its command line.
export interface BenchContext {
  bed: Testbed
  hosts: number
  /** node <runJs> runs the snapshotted CLI (lib/snapshot.ts) */
  runJs: string
  /** bench/setup.yml, bench/restart.yml and the vars file written for them */
  playbook: string
  restartPlaybook: string
  varsFile: string
  authctlEnv: NodeJS.ProcessEnv
  /** Ansible as shipped (ansible.cfg defaults) */
  ansibleEnv: NodeJS.ProcessEnv
  /** Ansible with the tuned ansible.cfg (lib/ansible-config.ts) */
  tunedAnsibleEnv: NodeJS.ProcessEnv
  /** xargs input of the floor row (lib/floor.ts) */
  floorHostsFile: string
  /** sh script of the replay row (lib/replay.ts), and whether it is written yet */
  replayFile: string
  replayReady?: boolean
  /** `authctl restart --help` of the measured build; undefined when the command does not exist */
  restartHelp?: string
}

export interface Command {
  file: string
  args: string[]
  env: NodeJS.ProcessEnv
}

// Which side of the comparison a row is on: the floor, the replay probe and the baseline are
// yardsticks, not rivals.
export type Tool = 'authctl' | 'ansible' | 'floor' | 'probe' | 'baseline'

export interface Scenario {
  id: string
  tool: Tool
  label: string
  /** host state the run needs ('any': touches the hosts, whatever they hold); undefined: no hosts */
  needs?: HostsState | 'any'
  /** host state after a successful run */
  leaves?: HostsState
  /** for rival and yardstick rows: the authctl row they are compared with */
  versus?: string
  /** new secret-ids for the Ansible vars file before the run (untimed, as the runbook mints them first) */
  mintsForAnsible?: boolean
  /** skip at this host count (e.g. forks=N equals forks=5 below 6 hosts) */
  skip?: (hosts: number) => boolean
  /** why the row cannot run with this build yet (recorded as pending, not as failed) */
  pending?: (ctx: BenchContext) => string | undefined
  /** why this round must skip the row (e.g. what it replays was not recorded yet) */
  notReady?: (ctx: BenchContext) => string | undefined
  /** after a counted run: the commands each host logged (the replay row is written from them) */
  record?: (ctx: BenchContext, commands: ReadonlyMap<string, readonly string[]>) => Promise<void>
  timeoutMs: (hosts: number) => number
  command: (ctx: BenchContext) => Command
  /** why a finished run does not count (wrong exit code, not really a no-change run …) */
  invalid?: (m: Measured, ctx: BenchContext) => string | undefined
}

const node = process.execPath
const connection = (ctx: BenchContext) => ['-i', ctx.bed.inventoryPath, '--known-hosts', ctx.bed.knownHostsPath, '--json']
const authctl = (ctx: BenchContext, args: string[]): Command => ({ file: node, args: [ctx.runJs, ...args], env: ctx.authctlEnv })
const setup = (ctx: BenchContext, extra: string[] = []) => authctl(ctx, ['setup', ...connection(ctx), ...extra])
// `--yes` only when the built command has it (a run without a terminal must not be asked).
const restart = (ctx: BenchContext, how: string[]) => authctl(ctx, ['restart', ...connection(ctx), ...how, ...(ctx.restartHelp?.includes('--yes') ? ['--yes'] : [])])

// Pending until the measured build has `authctl restart` with the flags the bench uses.
export function restartPending(ctx: Pick<BenchContext, 'restartHelp'>): string | undefined {
  if (ctx.restartHelp === undefined) return 'pending (authctl restart not built)'
  const missing = ['--serial', '--all-at-once', '--json'].filter((f) => !ctx.restartHelp?.includes(f))
  return missing.length > 0 ? `pending (authctl restart has no ${missing.join(', ')})` : undefined
}

// ansible-playbook with the shipped config (-f forks) or the tuned one (forks in its ansible.cfg).
function playbook(ctx: BenchContext, file: string, forks: number | 'tuned', extra: string[] = []): Command {
  const f = forks === 'tuned' ? [] : ['-f', String(forks)]
  return {
    file: 'ansible-playbook',
    args: ['-i', ctx.bed.inventoryPath, ...f, '-e', `@${ctx.varsFile}`, ...extra, file],
    env: forks === 'tuned' ? ctx.tunedAnsibleEnv : ctx.ansibleEnv,
  }
}
const serialOne = ['-e', 'restart_serial=1']

const long = (perHostMs: number, floorMs: number) => (hosts: number) => Math.max(floorMs, hosts * perHostMs)
const fiveForks = 5
const allHosts = (m: Measured, ctx: BenchContext) => authctlAllHosts(ctx.hosts)(m)
// The replay row's script from the commands of the last counted no-change run.
async function recordReplay(ctx: BenchContext, commands: ReadonlyMap<string, readonly string[]>): Promise<void> {
  await writeReplay(ctx.bed, commands, ctx.replayFile)
  ctx.replayReady = true
}
const TUNED = 'ansible-playbook tuned (pipelining, ControlPersist, forks N≤50, free)'

export const SCENARIOS: Scenario[] = [
  {
    id: 'authctl-first', tool: 'authctl', label: 'setup, first run (fresh hosts)', needs: 'fresh', leaves: 'authctl',
    timeoutMs: long(10_000, 180_000), command: (ctx) => setup(ctx), invalid: exitZero,
  },
  {
    id: 'authctl-nochange', tool: 'authctl', label: 'setup, no-change run', needs: 'authctl', leaves: 'authctl',
    timeoutMs: long(5_000, 120_000), command: (ctx) => setup(ctx), invalid: authctlNoChange, record: recordReplay,
  },
  {
    id: 'floor', tool: 'floor', label: 'floor: one ssh + sudo -n true a host, forks N≤50', needs: 'any', versus: 'authctl-nochange',
    timeoutMs: long(2_000, 60_000), command: (ctx) => ({ file: 'xargs', args: floorArgv(ctx.floorHostsFile, tunedForks(ctx.hosts), ctx.bed), env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'replay', tool: 'probe', label: "authctl's no-change remote commands, replayed with OpenSSH (one session a host)", needs: 'authctl', leaves: 'authctl', versus: 'authctl-nochange',
    notReady: (ctx) => (ctx.replayReady ? undefined : 'no authctl no-change run recorded yet'),
    timeoutMs: long(5_000, 60_000), command: (ctx) => ({ file: 'sh', args: [ctx.replayFile], env: ctx.authctlEnv }), invalid: exitZero,
  },
  {
    id: 'authctl-restart-serial1', tool: 'authctl', label: 'restart --serial 1 (rolling)', needs: 'authctl', leaves: 'authctl', pending: restartPending,
    timeoutMs: long(15_000, 180_000), command: (ctx) => restart(ctx, ['--serial', '1']), invalid: allHosts,
  },
  {
    id: 'authctl-restart-all', tool: 'authctl', label: 'restart --all-at-once', needs: 'authctl', leaves: 'authctl', pending: restartPending,
    timeoutMs: long(10_000, 180_000), command: (ctx) => restart(ctx, ['--all-at-once']), invalid: allHosts,
  },
  {
    id: 'authctl-first-forksN', tool: 'authctl', label: 'setup, first run, --forks N', needs: 'fresh', leaves: 'authctl', skip: (n) => n <= 10,
    timeoutMs: long(10_000, 180_000), command: (ctx) => setup(ctx, ['--forks', String(ctx.hosts)]), invalid: exitZero,
  },
  {
    id: 'authctl-nochange-forksN', tool: 'authctl', label: 'setup, no-change run, --forks N', needs: 'authctl', leaves: 'authctl', skip: (n) => n <= 10,
    timeoutMs: long(5_000, 120_000), command: (ctx) => setup(ctx, ['--forks', String(ctx.hosts)]), invalid: authctlNoChange,
  },
  {
    id: 'ansible-first-f5', tool: 'ansible', label: 'ansible-playbook, first run, forks 5', needs: 'fresh', leaves: 'ansible', versus: 'authctl-first', mintsForAnsible: true,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, fiveForks), invalid: exitZero,
  },
  {
    id: 'ansible-nochange-f5', tool: 'ansible', label: 'ansible-playbook, no-change run, forks 5', needs: 'ansible', leaves: 'ansible', versus: 'authctl-nochange',
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, fiveForks), invalid: ansibleNoChange,
  },
  {
    id: 'ansible-restart-serial1-f5', tool: 'ansible', label: 'ansible-playbook restart.yml, serial 1, forks 5', needs: 'ansible', leaves: 'ansible', versus: 'authctl-restart-serial1',
    timeoutMs: long(30_000, 300_000), command: (ctx) => playbook(ctx, ctx.restartPlaybook, fiveForks, serialOne), invalid: exitZero,
  },
  {
    id: 'ansible-restart-all-f5', tool: 'ansible', label: 'ansible-playbook restart.yml, all at once, forks 5', needs: 'ansible', leaves: 'ansible', versus: 'authctl-restart-all',
    timeoutMs: long(30_000, 300_000), command: (ctx) => playbook(ctx, ctx.restartPlaybook, fiveForks), invalid: exitZero,
  },
  {
    id: 'ansible-first-fN', tool: 'ansible', label: 'ansible-playbook, first run, forks N', needs: 'fresh', leaves: 'ansible', versus: 'authctl-first', mintsForAnsible: true, skip: (n) => n <= fiveForks,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, ctx.hosts), invalid: exitZero,
  },
  {
    id: 'ansible-nochange-fN', tool: 'ansible', label: 'ansible-playbook, no-change run, forks N', needs: 'ansible', leaves: 'ansible', versus: 'authctl-nochange', skip: (n) => n <= fiveForks,
    timeoutMs: long(60_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, ctx.hosts), invalid: ansibleNoChange,
  },
  {
    id: 'ansible-tuned-first', tool: 'ansible', label: `${TUNED}, first run`, needs: 'fresh', leaves: 'ansible', versus: 'authctl-first', mintsForAnsible: true,
    timeoutMs: long(30_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, 'tuned'), invalid: exitZero,
  },
  {
    id: 'ansible-tuned-nochange', tool: 'ansible', label: `${TUNED}, no-change run`, needs: 'ansible', leaves: 'ansible', versus: 'authctl-nochange',
    timeoutMs: long(30_000, 600_000), command: (ctx) => playbook(ctx, ctx.playbook, 'tuned'), invalid: ansibleNoChange,
  },
  {
    id: 'ansible-tuned-restart-serial1', tool: 'ansible', label: `${TUNED}, restart.yml serial 1`, needs: 'ansible', leaves: 'ansible', versus: 'authctl-restart-serial1',
    timeoutMs: long(30_000, 300_000), command: (ctx) => playbook(ctx, ctx.restartPlaybook, 'tuned', serialOne), invalid: exitZero,
  },
  {
    id: 'ansible-tuned-restart-all', tool: 'ansible', label: `${TUNED}, restart.yml all at once`, needs: 'ansible', leaves: 'ansible', versus: 'authctl-restart-all',
    timeoutMs: long(30_000, 300_000), command: (ctx) => playbook(ctx, ctx.restartPlaybook, 'tuned'), invalid: exitZero,
  },
  {
    id: 'authctl-help', tool: 'authctl', label: 'authctl --help (cold start)',
    timeoutMs: () => 30_000, command: (ctx) => authctl(ctx, ['--help']), invalid: exitZero,
  },
  {
    id: 'ansible-help', tool: 'ansible', label: 'ansible-playbook --help (cold start)', versus: 'authctl-help',
    timeoutMs: () => 30_000, command: (ctx) => ({ file: 'ansible-playbook', args: ['--help'], env: ctx.ansibleEnv }), invalid: exitZero,
  },
  {
    id: 'authctl-inventory', tool: 'authctl', label: 'authctl inventory --list (cold start)',
    timeoutMs: () => 30_000, command: (ctx) => authctl(ctx, ['inventory', '--list', '-i', ctx.bed.inventoryPath]), invalid: exitZero,
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

// The default order of one round: authctl's block (with the floor beside its no-change run) and
// Ansible's, swapped every other round (A/B, B/A), then the cold starts.
export function roundOrder(selected: readonly Scenario[], round: number): Scenario[] {
  const hostA = selected.filter((s) => s.needs !== undefined && s.tool !== 'ansible')
  const hostB = selected.filter((s) => s.needs !== undefined && s.tool === 'ansible')
  const cold = selected.filter((s) => s.needs === undefined)
  const coldPairs = round % 2 === 0 ? cold : [...cold].reverse()
  return round % 2 === 0 ? [...hostA, ...hostB, ...coldPairs] : [...hostB, ...hostA, ...coldPairs]
}

// The playbooks beside this folder.
export const PLAYBOOK = join(import.meta.dirname, '..', 'setup.yml')
export const RESTART_PLAYBOOK = join(import.meta.dirname, '..', 'restart.yml')
