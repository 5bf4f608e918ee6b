// `authctl lock release`: clear a stale deploy lock (needs --yes: it can free a lock a live run holds).
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { ConfigError } from '../../errors.js'
import { connectionFlags, hostSelection, inventoryFlags } from '../../flags.js'

export default class LockRelease extends BaseCommand {
  static override summary = 'Remove the deploy lock on the selected hosts (a stale lock from a killed run).'
  static override description = 'Check first with `authctl lock status` that the run named in the lock is really gone.'
  static override examples = ['<%= config.bin %> lock release -l authentik-2 --yes']
  static override flags = { ...inventoryFlags, ...connectionFlags, yes: Flags.boolean({ char: 'y', summary: 'Confirm the release (no environment variable).' }) }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LockRelease)
    if (!flags.yes) throw new ConfigError('lock release needs --yes', { hint: 'Check with `authctl lock status` that the holder is gone, then run again with --yes.' })
    const { lockCommand } = await import('../../plays/lock/command.js')
    return lockCommand({ ...hostSelection(flags), release: true, json: this.jsonEnabled(), argv: this.argv })
  }
}
