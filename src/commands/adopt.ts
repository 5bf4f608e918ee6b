// `authctl adopt`: a thin adapter from flags to the adopt play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, restartWaitFlags, rolloutFlags, rolloutInput } from '../flags.js'

export default class Adopt extends BaseCommand {
  static override summary = 'Take over an Ansible-era fleet: give each host its own secret-id, then retire the shared one.'
  static override description =
    'Per host not yet running on a secret-id minted for it, a batch at a time: mint one whose metadata names the host, write it atomically, restart vault-agent alone and wait for its login with it (the old file is put back if it cannot). Then the role\'s shared secret-ids (metadata naming no host) are destroyed only when every host runs on its own; otherwise the hosts that may still hold one are listed. --check shows the plan. Asks on a terminal; needs --yes without one.'
  static override examples = [
    '<%= config.bin %> adopt --check                 # which hosts hold a shared or unrecorded secret-id',
    '<%= config.bin %> adopt -l authentik-1 --yes    # one host first (the shared secret-id is kept)',
    '<%= config.bin %> adopt --yes                   # the rest, then destroy the shared one',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    ...rolloutFlags,
    ...confirmFlags,
    check: Flags.boolean({ summary: 'Show which hosts would get their own secret-id and what happens to the shared one; change nothing.', env: 'AUTHCTL_CHECK' }),
    ...restartWaitFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Adopt)
    const { adoptCommand } = await import('../plays/adopt/command.js')
    const result = await adoptCommand({
      ...hostSelection(flags),
      check: flags.check === true,
      ...rolloutInput(flags),
      waitTimeoutS: Math.ceil(parseDuration('timeout', flags.timeout) / 1000),
      yes: flags.yes === true,
      json: this.jsonEnabled(),
      argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
