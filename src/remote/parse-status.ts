// Turns the output of the status script into typed facts: the parts it shares with the state read
// (paths, pending restart, accessor, services) through parseState, plus the lock, docker's own
// failure, the .env and tmpfs probes and the agent's login lines.
import type { ExecResult } from './exec-result.js'
import { parseState, type HostState } from './parse-state.js'

// The deploy lock as found: the dir's age (seconds since the epoch) and its details (raw JSON text).
export interface FoundLock {
  mtime: number
  details: string
}

// One agent log entry: its first line and any "  | " continuation lines.
export interface AgentLogEntry {
  line: string
  more: string[]
}

// Everything the status round trip found on one host.
export interface StatusFacts {
  state: HostState
  lock?: FoundLock
  // why docker could not be asked (not installed, no compose file, daemon down)
  dockerError?: string
  // exit code of `test -s /vault/secrets/.env` in vault-agent (undefined: not probed)
  envProbe?: number
  // `stat -f -c %T /vault/secrets` in vault-agent: its exit code and the filesystem type
  secretsFs?: { code: number; type: string }
  agentLog: AgentLogEntry[]
}

// Parses the status round trip; a failure to run at all (sudo, a killed script) throws like the state read.
export function parseStatus(host: string, result: ExecResult): StatusFacts {
  const state = parseState(host, result)
  const facts: StatusFacts = { state, agentLog: [] }
  for (const line of result.stdout.split('\n')) {
    const [tag, ...rest] = line.split('\t')
    const value = rest.join('\t')
    if (tag === 'lock') facts.lock = { mtime: Number(rest[0]), details: rest.slice(1).join('\t') }
    else if (tag === 'docker') facts.dockerError = value
    else if (tag === 'env') facts.envProbe = Number(value)
    else if (tag === 'secrets-fs') facts.secretsFs = { code: Number(rest[0]), type: rest.slice(1).join('\t') }
    else if (tag === 'agent') facts.agentLog.push({ line: value, more: [] })
    else if (tag === 'agent+') facts.agentLog.at(-1)?.more.push(value)
  }
  return facts
}
