// `authctl lock status`: who holds the deploy lock on each selected host.
import { BaseCommand } from '../../base-command.js'
import { connectionFlags, hostSelection, inventoryFlags } from '../../flags.js'

export default class LockStatus extends BaseCommand {
  static override summary = 'Show who holds the deploy lock on each host.'
  static override examples = ['<%= config.bin %> lock status -i inventory/hosts.ini', '<%= config.bin %> lock status -l authentik-2 --json']
  static override flags = { ...inventoryFlags, ...connectionFlags }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LockStatus)
    const { lockCommand } = await import('../../plays/lock/command.js')
    return lockCommand({ ...hostSelection(flags), release: false, json: this.jsonEnabled(), argv: this.argv })
  }
}
