// One audit line, on the bastion and on hosts alike: when, who, (which host,) which command, then the
// change's own fields (versions and accessors, never values). `authctl audit` reads `time`.
import { hostname, userInfo } from 'node:os'

// Who runs authctl: the sudo caller when there is one, at the bastion's host name.
export function whoRuns(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.SUDO_USER || userInfo().username}@${hostname()}`
}

// The record's fixed head, then its fields; host is left out for changes that touch no host (Vault-only).
export interface AuditHead {
  at: Date
  who: string
  host?: string
  command: string
}

// The JSON line (no newline) for one change.
export function auditRecord(head: AuditHead, fields: Record<string, unknown>): string {
  const where = head.host === undefined ? {} : { host: head.host }
  return JSON.stringify({ time: head.at.toISOString(), who: head.who, ...where, command: head.command, ...fields })
}
