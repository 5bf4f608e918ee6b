// `authctl secrets init`: a thin adapter from flags to the secrets-init play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { changeFlags, confirmFlags, inventoryFlags } from '../../flags.js'

export default class SecretsInit extends BaseCommand {
  static override summary = 'Generate and store the database and Authentik secrets in Vault KV (runbook Step 3).'
  static override description =
    'Generates pg_password (32 characters) and secret_key (64) with a cryptographic generator and the runbook\'s alphabet, and writes the database and config secrets with check-and-set 0: an existing secret is kept unless --force, which shows which fields change. Values you provide come from --from-file (or - for stdin), never from the command line.'
  static override examples = [
    '<%= config.bin %> secrets init --check',
    '<%= config.bin %> secrets init --pg-host mydb.abc123.us-west-2.rds.amazonaws.com --yes',
    'printf "pg_password=%s\\n" "$CURRENT_PASSWORD" | <%= config.bin %> secrets init --from-file - --yes',
  ]

  static override flags = {
    inventory: inventoryFlags.inventory,
    check: changeFlags.check,
    force: Flags.boolean({ summary: 'Overwrite existing secrets (check-and-set on their current version), showing which fields change.', env: 'AUTHCTL_FORCE' }),
    'from-file': Flags.string({ summary: 'key=value lines for any field (pg_host, pg_user, pg_password, pg_name, pg_port, secret_key); - reads stdin.', env: 'AUTHCTL_FROM_FILE' }),
    'pg-host': Flags.string({ summary: 'Database endpoint (default a placeholder until `db set-host`).', env: 'AUTHCTL_PG_HOST' }),
    'pg-user': Flags.string({ summary: 'Database user (default authentik).', env: 'AUTHCTL_PG_USER' }),
    'pg-name': Flags.string({ summary: 'Database name (default authentik).', env: 'AUTHCTL_PG_NAME' }),
    'pg-port': Flags.string({ summary: 'Database port (default 5432).', env: 'AUTHCTL_PG_PORT' }),
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SecretsInit)
    const { secretsInitCommand } = await import('../../plays/secrets-init/command.js')
    return secretsInitCommand({
      inventory: flags.inventory, check: flags.check === true, force: flags.force === true, yes: flags.yes === true, json: this.jsonEnabled(), fromFile: flags['from-file'],
      flags: { pg_host: flags['pg-host'], pg_user: flags['pg-user'], pg_name: flags['pg-name'], pg_port: flags['pg-port'] },
    })
  }
}
