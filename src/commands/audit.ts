// `authctl audit`: a thin adapter from flags to the audit play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { connectionFlags, hostSelection, inventoryFlags, parseSince } from '../flags.js'

export default class Audit extends BaseCommand {
  static override summary = 'Show what authctl changed on every selected host, merged by time (the hosts\' audit logs).'
  static override description =
    'Reads /data/authentik/authctl-audit.log (one JSON line per change: time, who, command, files, restart, secret-id accessor) from each host. Without --tail or --since, the last 100 entries. A malformed line is reported and skipped.'
  static override examples = [
    '<%= config.bin %> audit --since 7d',
    '<%= config.bin %> audit -l authentik-2 --tail 20',
    '<%= config.bin %> audit --json --since 2026-03-01T00:00:00Z',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    tail: Flags.integer({ char: 'n', summary: 'The last N entries over all hosts (default 100 unless --since is given).', env: 'AUTHCTL_AUDIT_TAIL', min: 0 }),
    since: Flags.string({ summary: 'Only entries since a duration ago (10m, 2h, 7d) or an ISO 8601 time.', env: 'AUTHCTL_AUDIT_SINCE' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Audit)
    const since = flags.since === undefined ? undefined : parseSince('since', flags.since).time
    const { auditCommand } = await import('../plays/audit/command.js')
    const result = await auditCommand({ ...hostSelection(flags), tail: flags.tail, since, json: this.jsonEnabled(), argv: this.argv })
    process.exitCode = result.exitCode
    return result
  }
}
