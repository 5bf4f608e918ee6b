// Status check "agent-auth": when the agent last logged in to Vault and whether it fails to now,
// read from its recent log lines (go-hclog format, reference authentik-compose.md §3). A failed login
// that reached Vault counts toward Vault's user lockout, and for AppRole the locked "user" is the
// role-id every host shares (reference rotation-facts.md), so one bad host can lock out the fleet.
import { sanitizeRemote } from '../../util/sanitize.js'
import type { AgentLogEntry } from '../../remote/parse-status.js'
import { AGENT_LOG_LINES } from '../../remote/status-script.js'
import { durationText, pass, problem, skip, type Check, type CheckInput } from './check.js'

const LOCKOUT = 'Vault locks an AppRole role-id out after 5 failed logins in 15 minutes, and every host shares it: fix this host before it locks out the fleet.'

// One login event from the agent's log.
export interface AgentEvent {
  kind: 'start' | 'login' | 'error'
  time: Date | undefined
  // for errors: the reason, and whether the attempt reached Vault (counts toward the lockout)
  reason?: string
  reachedVault?: boolean
}

// Why a login failed: Vault's "* reason" in the continuation lines, else error="…", else the message.
function reasonOf(entry: AgentLogEntry): string {
  const bullet = entry.more.map((l) => /^\s*\|\s*\*\s*(.+)$/.exec(l)?.[1]).find((x) => x !== undefined)
  const quoted = /error="([^"]*)"/.exec(entry.line)?.[1]
  const message = /auth\.handler: (.*)$/.exec(entry.line)?.[1] ?? entry.line
  return sanitizeRemote(bullet ?? quoted ?? message).slice(0, 200)
}

// Classifies the agent's login lines, oldest first.
export function agentEvents(entries: readonly AgentLogEntry[]): AgentEvent[] {
  return entries.map((e) => {
    const t = new Date(e.line.split(' ')[0] ?? '')
    const time = Number.isNaN(t.getTime()) ? undefined : t
    if (/Vault [Aa]gent started/.test(e.line)) return { kind: 'start', time }
    if (/authentication successful/.test(e.line)) return { kind: 'login', time }
    return { kind: 'error', time, reason: reasonOf(e), reachedVault: /error authenticating/.test(e.line) }
  })
}

// Fails while the agent cannot log in; warns after recent errors.
export function checkAgentAuth(input: CheckInput): Check {
  const agentUp = input.facts.state.services.some((s) => s.service === 'vault-agent' && s.state === 'running')
  const events = agentEvents(input.facts.agentLog).filter((e) => e.kind !== 'start')
  const lastLogin = events.filter((e) => e.kind === 'login').at(-1)
  const errors = events.filter((e) => e.kind === 'error')
  const lastError = errors.at(-1)
  const failedAtVault = errors.filter((e) => e.reachedVault).length
  const at = (e: AgentEvent | undefined) => (e?.time ? `${e.time.toISOString()} (${durationText(input.now.getTime() - e.time.getTime())} ago)` : 'at an unknown time')
  const data = { lastSuccess: lastLogin?.time?.toISOString() ?? null, loginErrors: errors.length, failedLoginsAtVault: failedAtVault, lastError: lastError?.reason ?? null }
  const lockout = failedAtVault > 0 ? ` ${LOCKOUT}` : ''
  if (events.length === 0) {
    if (!agentUp && input.facts.agentLog.length === 0) return skip('agent-auth', 'not checked: vault-agent has no log (not started?)')
    return problem('agent-auth', 'warn', `no login in the agent's last ${AGENT_LOG_LINES} log lines`, { data })
  }
  if (events.at(-1)?.kind === 'error') {
    const since = lastLogin ? `last successful login ${at(lastLogin)}` : 'no successful login in its recent logs'
    return problem('agent-auth', 'fail', `the agent cannot log in: ${lastError?.reason ?? 'error'} (${errors.length} login error(s); ${since})`, {
      hint: `Check the role-id and secret-id checks above; authctl status -l ${input.host.name} --login-test tries the deployed credentials.${lockout}`, data,
    })
  }
  if (errors.length > 0) {
    return problem('agent-auth', 'warn', `last successful login ${at(lastLogin)}, after ${errors.length} login error(s) (last: ${lastError?.reason ?? 'error'})`, {
      hint: lockout.trim() || undefined, data,
    })
  }
  return pass('agent-auth', `last successful login ${at(lastLogin)}`, data)
}
