// `authctl status`: a thin adapter from flags to the status play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { connectionFlags, hostSelection, inventoryFlags, parseDuration } from '../flags.js'

export default class Status extends BaseCommand {
  static override summary = 'Check every selected host: files, credentials, Vault, services, .env, agent logins, lock (read-only).'
  static override description =
    'The runbook\'s troubleshooting steps as one command. Never takes the deploy lock. Exit 0 when every check passes (warnings too, unless --strict), 2 when a check fails, 4 when a host is unreachable, 6 when Vault could not be asked.'
  static override examples = [
    '<%= config.bin %> status -i inventory/hosts.ini',
    '<%= config.bin %> status --json --strict',
    '<%= config.bin %> status -l authentik-2 --login-test',
    '<%= config.bin %> status --warn-before 336h',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    'warn-before': Flags.string({ summary: 'Warn when a host\'s secret-id expires sooner than this.', env: 'AUTHCTL_WARN_BEFORE', default: '168h' }),
    'stale-after': Flags.string({ summary: 'Call a held deploy lock stale when it is older than this.', env: 'AUTHCTL_STALE_AFTER', default: '1h' }),
    strict: Flags.boolean({ summary: 'Fail (exit 2) on warnings too.', env: 'AUTHCTL_STRICT' }),
    'login-test': Flags.boolean({ summary: 'Log in to Vault with each host\'s deployed credentials (kept in memory), then revoke the token.', env: 'AUTHCTL_LOGIN_TEST' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Status)
    const warnBeforeMs = parseDuration('warn-before', flags['warn-before'])
    const staleAfterMs = parseDuration('stale-after', flags['stale-after'])
    const { statusCommand } = await import('../plays/status/command.js')
    const result = await statusCommand({
      ...hostSelection(flags), warnBeforeMs, staleAfterMs, strict: flags.strict === true, loginTest: flags['login-test'] === true, json: this.jsonEnabled(), argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
