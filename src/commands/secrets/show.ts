// `authctl secrets show`: a thin adapter from flags to the secrets-show play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { inventoryFlags } from '../../flags.js'

export default class SecretsShow extends BaseCommand {
  static override summary = 'Show the KV secrets safely: field names, version, created time and a fingerprint of each value.'
  static override description = 'Values are shown only with --reveal, and only on a terminal (never with --json or into a pipe). A fingerprint is the first 12 hex digits of the value\'s sha256.'
  static override examples = ['<%= config.bin %> secrets show', '<%= config.bin %> secrets show --json', '<%= config.bin %> secrets show --reveal']

  static override flags = {
    inventory: inventoryFlags.inventory,
    reveal: Flags.boolean({ summary: 'Also print the values (terminal only).', env: 'AUTHCTL_REVEAL' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SecretsShow)
    const { secretsShowCommand } = await import('../../plays/secrets-show/command.js')
    return secretsShowCommand({ inventory: flags.inventory, reveal: flags.reveal === true, json: this.jsonEnabled() })
  }
}
