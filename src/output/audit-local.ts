// The bastion's copy of the audit trail: one JSON line per change, appended under the XDG state
// folder ($XDG_STATE_HOME/authctl/audit.log, default ~/.local/state/authctl/audit.log).
import { appendFile, mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state')
  return join(base, 'authctl', 'audit.log')
}

// Appends lines (already JSON, free of secrets) with owner-only permissions.
export async function appendAudit(lines: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = auditLogPath(env)
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  await appendFile(path, lines.map((l) => l + '\n').join(''), { mode: 0o600 })
}
