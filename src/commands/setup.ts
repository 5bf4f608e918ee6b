// `authctl setup`: a thin adapter from flags to the setup play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { changeFlags, confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, rolloutFlags, rolloutInput } from '../flags.js'

export default class Setup extends BaseCommand {
  static override summary = 'Deploy the Vault Agent sidecar stack to every selected host (idempotent).'
  static override description =
    'Preflights every host (SSH, sudo, docker compose, Vault), takes the deploy lock, gives each host its own AppRole secret-id when it needs one, writes only the files that differ and restarts only what they require, one running host at a time.'
  static override examples = [
    '<%= config.bin %> setup -i inventory/hosts.ini',
    '<%= config.bin %> setup -i inventory/hosts.ini --check --diff',
    '<%= config.bin %> setup -l authentik-2 --new-secret-id   # asks; --yes without a terminal',
    '<%= config.bin %> setup --json --lock-wait 5m',
  ]

  static override flags = {
    ...inventoryFlags,
    ...connectionFlags,
    ...changeFlags,
    ...rolloutFlags,
    'new-secret-id': Flags.boolean({ summary: 'Mint a new secret-id for every selected host and destroy the old one once healthy (asks; needs --yes without a terminal).' }),
    ...confirmFlags,
    'secret-id-min-ttl': Flags.string({ summary: 'Replace a secret-id that expires sooner than this.', env: 'AUTHCTL_SECRET_ID_MIN_TTL', default: '168h' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Setup)
    const { setupCommand } = await import('../plays/setup/command.js')
    const result = await setupCommand({
      ...hostSelection(flags),
      check: flags.check === true,
      diff: flags.diff === true,
      newSecretId: flags['new-secret-id'] === true,
      yes: flags.yes === true,
      ...rolloutInput(flags),
      waitTimeoutS: Math.ceil(parseDuration('wait-timeout', flags['wait-timeout']) / 1000),
      secretIdMinRemainingMs: parseDuration('secret-id-min-ttl', flags['secret-id-min-ttl']),
      json: this.jsonEnabled(),
      argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
