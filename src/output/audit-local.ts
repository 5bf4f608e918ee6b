// The bastion's copy of the audit trail: one JSON line per change, appended under the XDG state
// folder ($XDG_STATE_HOME/authctl/audit.log, default ~/.local/state/authctl/audit.log).
import { appendFile, mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

// authctl's folder on the bastion for state that outlives a run (audit log, rotation journals).
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'authctl')
}

export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'audit.log')
}

// Appends lines (already JSON, free of secrets) with owner-only permissions.
export async function appendAudit(lines: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = auditLogPath(env)
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  await appendFile(path, lines.map((l) => l + '\n').join(''), { mode: 0o600 })
}
