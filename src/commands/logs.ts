// `authctl logs`: a thin adapter from flags to the logs play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { connectionFlags, hostSelection, inventoryFlags, parseSince } from '../flags.js'
import { LOG_SERVICES } from '../remote/logs-argv.js'

export default class Logs extends BaseCommand {
  // a stream of lines for people; `authctl audit --json` and `authctl status --json` are for machines
  static override enableJsonFlag = false
  static override summary = 'Show (or follow with -f) the stack\'s logs on every selected host, each line prefixed with its host.'
  static override description =
    'Runs docker compose logs on each host. Without --tail or --since, the last 100 lines of each service. -f follows every host at once until Ctrl-C, which ends it cleanly (exit 0) and stops the follower on each host; a host that drops out is reported and the others go on.'
  static override examples = [
    '<%= config.bin %> logs --service vault-agent --tail 50',
    '<%= config.bin %> logs -l authentik-2 --since 10m',
    '<%= config.bin %> logs -f --service server --service worker',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    // -f is --follow here, as in docker and tail
    forks: { ...connectionFlags.forks, char: undefined } as typeof connectionFlags.forks,
    service: Flags.string({ summary: 'Only this service (repeat for several; default all three).', env: 'AUTHCTL_LOGS_SERVICE', options: [...LOG_SERVICES], multiple: true }),
    tail: Flags.integer({ char: 'n', summary: 'Last N lines of each service (default 100 unless --since is given).', env: 'AUTHCTL_LOGS_TAIL', min: 0 }),
    since: Flags.string({ summary: 'Only lines since a duration ago (10m, 2h, 7d) or an ISO 8601 time.', env: 'AUTHCTL_LOGS_SINCE' }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep following every host until Ctrl-C.', env: 'AUTHCTL_LOGS_FOLLOW' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Logs)
    const since = flags.since === undefined ? undefined : parseSince('since', flags.since).docker
    const { logsCommand } = await import('../plays/logs/command.js')
    const result = await logsCommand({
      ...hostSelection(flags), services: (flags.service ?? []) as typeof LOG_SERVICES[number][], tail: flags.tail, since, follow: flags.follow === true, argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
