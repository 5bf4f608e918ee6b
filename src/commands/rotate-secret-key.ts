// `authctl rotate-secret-key`: a thin adapter from flags to the secret-key rotation.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, restartWaitFlags, rolloutFlags, rolloutInput } from '../flags.js'

export default class RotateSecretKey extends BaseCommand {
  static override summary = 'Rotate AUTHENTIK_SECRET_KEY: a new 64-character key in Vault, then every host restarted at once. Logs every user out.'
  static override description =
    'Locks and reads every host first (more than --max-fail failing stops it before any change), reads the config secret (version v), generates a new 64-character key of [A-Za-z0-9], patches secret_key as version v+1 with check-and-set on v (a concurrent change fails and changes nothing), then restarts every locked host at once (HA instances must share the key), each healthy with a fresh agent login and .env rendered. Sessions signed with the old key become invalid: every user is logged out. Each step is journaled on the bastion and beside the secret in Vault; --resume finishes a run that stopped. Asks on a terminal; without one it needs --yes.'
  static override examples = ['<%= config.bin %> rotate-secret-key -i inventory/hosts.ini', '<%= config.bin %> rotate-secret-key --yes --json', '<%= config.bin %> rotate-secret-key --resume']

  static override flags = {
    inventory: inventoryFlags.inventory,
    ...connectionFlags,
    'max-fail': rolloutFlags['max-fail'],
    resume: Flags.boolean({ summary: 'Finish the rotation an earlier run left unfinished (journal on this bastion or in Vault): restart the hosts still on the previous key, at once.', env: 'AUTHCTL_RESUME' }),
    ...restartWaitFlags,
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(RotateSecretKey)
    const { rotateSecretKeyCommand } = await import('../plays/rotate-secret-key/command.js')
    const result = await rotateSecretKeyCommand({
      // every host at once: HA instances must share the key
      ...hostSelection(flags), ...rolloutInput(flags, { percent: 100 }), waitTimeoutS: Math.ceil(parseDuration('timeout', flags.timeout) / 1000),
      resume: flags.resume === true, yes: flags.yes === true, json: this.jsonEnabled(), argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
