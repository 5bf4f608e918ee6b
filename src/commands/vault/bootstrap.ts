// `authctl vault bootstrap`: a thin adapter from flags to the bootstrap play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { changeFlags, confirmFlags, inventoryFlags } from '../../flags.js'

export default class VaultBootstrap extends BaseCommand {
  static override summary = 'Create or update the Vault policies, AppRole auth and role the stack needs (runbook Steps 1–2).'
  static override description =
    'Writes the agents\' read policy, enables AppRole if needed, creates or updates the role with the inventory\'s settings, and writes the least-privilege operator policy generated from authctl\'s own table of Vault calls. Reports each object unchanged, created or updated (with a diff of a changed policy), and the AppRole mount\'s user-lockout settings. Needs a token with the bootstrap policy (see --print).'
  static override examples = [
    '<%= config.bin %> vault bootstrap --check',
    '<%= config.bin %> vault bootstrap --yes --json',
    '<%= config.bin %> vault bootstrap --print',
  ]

  static override flags = {
    inventory: inventoryFlags.inventory,
    check: changeFlags.check,
    print: Flags.boolean({ summary: 'Print the policies as HCL (the two it writes and the one its own token needs); contact no Vault.', env: 'AUTHCTL_PRINT' }),
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(VaultBootstrap)
    const { vaultBootstrapCommand } = await import('../../plays/vault-bootstrap/command.js')
    return vaultBootstrapCommand({ inventory: flags.inventory, check: flags.check === true, print: flags.print === true, yes: flags.yes === true, json: this.jsonEnabled() })
  }
}
