// `authctl status`: the runbook's Troubleshooting section as one read-only command. Per host, in
// parallel and without the lock: one round trip gathers files, services, .env, tmpfs, the agent's
// logins, the lock and the restart marker; Vault is asked about the role-id and the host's secret-id;
// `--login-test` logs in with the deployed credentials and revokes the token. Exit 0 only when every
// check passes (warnings pass unless --strict), 2 when one fails, 4 when a host is unreachable,
// 6 when Vault could not be asked.
import { EXIT_CODES, VaultError, worstExitCode } from '../../errors.js'
import type { EngineDeps } from '../../engine/play.js'
import type { Timings } from '../../util/timings.js'
import { readOnlyRun, runPlay } from '../../engine/run-play.js'
import type { Play, ReadHost } from '../../engine/play.js'
import { newOutcome, type HostOutcome } from '../../engine/host-result.js'
import { parseStatus, type StatusFacts } from '../../remote/parse-status.js'
import { statusArgv } from '../../remote/status-script.js'
import { stackPaths } from '../../stack/layout.js'
import type { CheckInput, LoginTestOutcome, Check } from './check.js'
import type { DesiredState } from '../../render/desired.js'
import { readCredentials } from './read-credentials.js'
import { heldSecretId } from '../../steps/secret-id-record.js'
import { runChecks, verdictOf, type Verdict } from './status-checks.js'
import type { StatusVaultPort } from '../../vault/status-vault.js'
import type { SetupHost } from '../shared/setup-types.js'

// The thresholds and switches of a status run.
export interface StatusOptions {
  warnBeforeMs: number
  staleAfterMs: number
  strict: boolean
  loginTest: boolean
  forks: number
  commandLine: string
}

// The engine's ports plus Vault and the bastion's view of a lock's process.
export interface StatusDeps extends EngineDeps {
  vault: StatusVaultPort
  lockOwnerGone: CheckInput['lockOwnerGone']
}

// One host in the result: the engine's outcome plus its verdict and every check.
export interface StatusHostResult extends HostOutcome {
  verdict: Verdict
  checks: Check[]
}

// The --json contract (pinned by a test).
export interface StatusResult {
  exitCode: number
  interrupted: boolean
  strict: boolean
  vault: { addr: string; error: string | null }
  summary: Record<Verdict, number> & { hosts: number }
  hosts: StatusHostResult[]
  // the engine's spans (ms): connect, read, prepare, total
  timings: Timings
}

// Bounded time for the status round trip (its docker calls are bounded on the host too).
const STATUS_TIMEOUT_MS = 90_000

type Role = { value: string } | { error: string }
// accessor → the host its metadata names (undefined: none)
type Minted = Map<string, string | undefined> | { error: string }

// Every secret-id of the role, with the host its metadata names.
async function listMinted(vault: StatusVaultPort, role: string): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>()
  for (const accessor of await vault.listSecretIdAccessors(role)) {
    const info = await vault.lookupSecretIdAccessor(role, accessor)
    if (info !== null) out.set(accessor, info.metadata.host)
  }
  return out
}

// Runs every check on every host; only config errors (inventory, templates) throw.
export async function runStatus(hosts: readonly SetupHost[], deps: StatusDeps, opts: StatusOptions): Promise<StatusResult> {
  const desired = new Map<string, DesiredState>()
  for (const host of hosts) desired.set(host.name, await host.render())
  const roles = new Map<string, Role>()
  for (const role of new Set(hosts.map((h) => h.role))) roles.set(role, await vaultCall(() => deps.vault.readRoleId(role)).then((value) => typeof value === 'string' ? { value } : value))
  const vaultErrors: string[] = [...roles.values()].flatMap((r) => ('error' in r ? [r.error] : []))
  // each role's secret-ids and the host their metadata names, asked once for every host of the role
  const minted = new Map<string, Promise<Minted>>()
  const mintedFor = (role: string) => minted.get(role) ?? minted.set(role, vaultCall(() => listMinted(deps.vault, role))).get(role)!
  const play: Play<SetupHost, StatusFacts, void, StatusHostResult> = {
    newResult: (h) => ({ ...newOutcome(h.name), verdict: 'pass', checks: [] }),
    read: async (h) => parseStatus(h.host.name, await h.remote.exec(statusArgv({ paths: h.paths, project: h.host.project, targets: targets(h.host, desired.get(h.host.name)!) }), { timeoutMs: STATUS_TIMEOUT_MS })),
    prepare: async (h) => {
      const input = await gather(h, desired.get(h.host.name)!, roles.get(h.host.role)!, mintedFor(h.host.role), deps, opts)
      if (input.secretId && 'error' in input.secretId) vaultErrors.push(input.secretId.error)
      h.result.checks = [{ id: 'reachable', status: 'pass', summary: 'connected over SSH; passwordless sudo works' }, ...runChecks(input)]
      h.result.verdict = verdictOf(h.result.checks)
    },
    changes: () => false,
    rolling: () => false,
    apply: async () => undefined,
  }
  const run = await runPlay(play, hosts, deps, readOnlyRun(opts.forks, opts.commandLine))
  for (const r of run.hosts) {
    if (!r.error) continue
    r.checks = [{ id: 'reachable', status: 'fail', summary: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) }]
    r.verdict = r.status === 'unreachable' ? 'unreachable' : 'fail'
  }
  const count = (v: Verdict) => run.hosts.filter((h) => h.verdict === v).length
  return {
    exitCode: run.interrupted ? EXIT_CODES.interrupted : exitCode(run.hosts, vaultErrors.length > 0, opts.strict),
    interrupted: run.interrupted,
    strict: opts.strict,
    vault: { addr: deps.vault.addr, error: vaultErrors[0] ?? null },
    summary: { hosts: run.hosts.length, pass: count('pass'), warn: count('warn'), fail: count('fail'), unreachable: count('unreachable') },
    hosts: run.hosts,
    timings: run.timings,
  }
}

// Every path whose state the checks read: the directories, rendered files and credentials.
function targets(host: SetupHost, desired: DesiredState): string[] {
  const p = stackPaths(host.root)
  return [...desired.dirs.map((d) => d.path), ...desired.files.map((f) => f.path), p.credential('role-id'), p.credential('secret-id')]
}

// A Vault call whose VaultError becomes a finding instead of ending the run.
async function vaultCall<T>(call: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof VaultError) return { error: error.message }
    throw error
  }
}

// Asks Vault what the checks need for one host (and, with --login-test, logs in).
async function gather(h: ReadHost<SetupHost, StatusFacts, StatusHostResult>, desired: DesiredState, roleId: Role, minted: Promise<Minted>, deps: StatusDeps, opts: StatusOptions): Promise<CheckInput> {
  // the secret-id the file holds, by its checksum, not the record's first line
  const file = h.state.state.paths.get(stackPaths(h.host.root).credential('secret-id'))
  const accessor = heldSecretId(h.state.state.secretIdRecord, file?.kind === 'file' ? file.sha256 : undefined).accessor
  let secretId: CheckInput['secretId']
  if (accessor !== null && file?.kind === 'file') {
    const found = 'error' in roleId ? roleId : await vaultCall(() => deps.vault.lookupSecretIdAccessor(h.host.role, accessor))
    secretId = found !== null && 'error' in found ? { error: found.error } : { found }
  }
  const all = 'error' in roleId ? roleId : await minted
  // shared ones (metadata naming no host) only count once the file is known to hold another
  const leftLive = 'error' in all ? { error: all.error } : {
    accessors: [...all].filter(([a, host]) => host === h.host.name && a !== accessor).map(([a]) => a),
    shared: accessor === null ? [] : [...all].filter(([a, host]) => host === undefined && a !== accessor).map(([a]) => a),
  }
  const loginTest = opts.loginTest ? await tryLogin(h, secretId, deps) : undefined
  return {
    host: h.host, facts: h.state, desired, roleId, secretId, leftLive, loginTest, now: deps.now(),
    warnBeforeMs: opts.warnBeforeMs, staleAfterMs: opts.staleAfterMs, lockOwnerGone: deps.lockOwnerGone,
  }
}

// The runbook's manual login, except where it is known to fail: a failed login counts toward the
// lockout of the role-id every host shares.
async function tryLogin(h: ReadHost<SetupHost, StatusFacts, StatusHostResult>, secretId: CheckInput['secretId'], deps: StatusDeps): Promise<LoginTestOutcome> {
  if (secretId && 'found' in secretId && secretId.found === null) return { skipped: 'Vault no longer knows this secret-id, and a failed login counts toward the lockout of the shared role-id' }
  const creds = await readCredentials(h.remote, h.host.root).catch((error: Error) => ({ error: error.message }))
  if ('error' in creds) return creds
  if ('missing' in creds) return { skipped: creds.missing }
  const result = await vaultCall(() => deps.vault.loginTest(creds.roleId, creds.secretId))
  return 'error' in result ? { error: result.error } : { ok: result }
}

// 4 when a host is unreachable, then 6 when Vault could not be asked, then 2 for a failed check
// (or a warning under --strict).
function exitCode(hosts: readonly StatusHostResult[], vaultFailed: boolean, strict: boolean): number {
  const codes = hosts.map((h) => (h.verdict === 'unreachable' ? EXIT_CODES.unreachable : h.verdict === 'fail' || (strict && h.verdict === 'warn') ? EXIT_CODES.hostFailed : 0))
  const worst = worstExitCode(codes)
  return vaultFailed && worst !== EXIT_CODES.unreachable ? EXIT_CODES.vault : worst
}
