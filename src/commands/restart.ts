// `authctl restart`: a thin adapter from flags to the restart play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { ConfigError } from '../errors.js'
import { confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, restartWaitFlags, rolloutFlags, rolloutInput } from '../flags.js'
import { STACK_SERVICES, type StackService } from '../stack/services.js'

export default class Restart extends BaseCommand {
  static override summary = 'Restart the stack on the selected hosts, a batch at a time, each healthy and logged in to Vault before the next.'
  static override description =
    'Takes the deploy lock, restarts vault-agent first, then server and worker (or only --services, always in that order), and waits until every service is healthy, the agent has logged in to Vault since its restart and .env is rendered in the tmpfs. A failed or unreachable host counts toward --max-fail over the whole run; past it no further host is touched. Made for CI: a rolling restart never prompts; --all-at-once (an outage until the hosts are back) asks on a terminal and needs --yes without one.'
  static override examples = [
    '<%= config.bin %> restart -i inventory/hosts.ini',
    '<%= config.bin %> restart --serial 2 --max-fail 1 --json',
    '<%= config.bin %> restart --services server,worker',
    '<%= config.bin %> restart --all-at-once --yes   # HA instances that must share a new secret key',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    ...rolloutFlags,
    // no environment twin: a variable set once in CI must not turn every later restart into an outage
    'all-at-once': Flags.boolean({ summary: 'Restart every selected host at once instead of in --serial batches (asks; needs --yes without a terminal; no environment variable).', exclusive: ['serial'] }),
    services: Flags.string({ summary: `Only these services, comma-separated (${STACK_SERVICES.join(', ')}); restarted in that order.`, env: 'AUTHCTL_SERVICES', default: STACK_SERVICES.join(',') }),
    ...restartWaitFlags,
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Restart)
    const { restartCommand } = await import('../plays/restart/command.js')
    const result = await restartCommand({
      ...hostSelection(flags),
      services: parseServices(flags.services),
      ...rolloutInput(flags, flags['all-at-once'] ? { percent: 100 } : undefined),
      allAtOnce: flags['all-at-once'] === true,
      yes: flags.yes === true,
      waitTimeoutS: Math.ceil(parseDuration('timeout', flags.timeout) / 1000),
      json: this.jsonEnabled(),
      argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}

function parseServices(value: string): StackService[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = names.filter((n) => !(STACK_SERVICES as readonly string[]).includes(n))
  if (unknown.length > 0 || names.length === 0) {
    throw new ConfigError(`--services: ${unknown.length > 0 ? `unknown service ${unknown.join(', ')}` : 'no service given'}`, { hint: `Choose from ${STACK_SERVICES.join(', ')}, comma-separated.` })
  }
  return STACK_SERVICES.filter((s) => names.includes(s))
}
