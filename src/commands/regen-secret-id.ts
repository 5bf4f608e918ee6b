// `authctl regen-secret-id`: a thin adapter from flags to the regen-secret-id play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, restartWaitFlags, rolloutFlags, rolloutInput } from '../flags.js'

export default class RegenSecretId extends BaseCommand {
  static override summary = 'Give hosts a new AppRole secret-id, prove the agent logs in with it, then destroy the old one.'
  static override description =
    'Per host, a batch at a time: mint a secret-id whose metadata names the host, write it atomically, restart vault-agent alone (server and worker keep running), wait for its fresh login, then destroy the previous secret-id. If the agent cannot log in, the previous secret-id is put back and stays valid, and the new one is destroyed. Asks on a terminal; needs --yes without one.'
  static override examples = [
    '<%= config.bin %> regen-secret-id -l authentik-2            # one host is suspected compromised',
    '<%= config.bin %> regen-secret-id --yes --json              # every host, from CI',
    '<%= config.bin %> regen-secret-id --revoke-all-others --yes # compromised and maybe copied elsewhere',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    ...rolloutFlags,
    ...confirmFlags,
    'revoke-all-others': Flags.boolean({ summary: 'After every host succeeded, destroy every other secret-id of the role (not with --limit).' }),
    ...restartWaitFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(RegenSecretId)
    const { regenSecretIdCommand } = await import('../plays/regen-secret-id/command.js')
    const result = await regenSecretIdCommand({
      ...hostSelection(flags),
      ...rolloutInput(flags),
      waitTimeoutS: Math.ceil(parseDuration('timeout', flags.timeout) / 1000),
      revokeAllOthers: flags['revoke-all-others'] === true,
      yes: flags.yes === true,
      json: this.jsonEnabled(),
      argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
