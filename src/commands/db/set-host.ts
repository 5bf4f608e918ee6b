// `authctl db set-host`: a thin adapter from flags to the db-set-host play.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { changeFlags, confirmFlags, inventoryFlags, parseDuration } from '../../flags.js'

export default class DbSetHost extends BaseCommand {
  static override summary = 'Set pg_host in Vault from terraform\'s db_address output or a given name (runbook Step 4).'
  static override description = 'Runs `terraform output -raw db_address` in DIR (or takes --host), shows the old and new value, and patches pg_host with check-and-set on the version it read.'
  static override examples = [
    '<%= config.bin %> db set-host --from-terraform terraform-plan/organization/environments/shared-services/rds/authentik',
    '<%= config.bin %> db set-host --host mydb.abc123.us-west-2.rds.amazonaws.com --yes --json',
  ]

  static override flags = {
    inventory: inventoryFlags.inventory,
    check: changeFlags.check,
    'from-terraform': Flags.string({ summary: 'Terraform working directory whose db_address output is the endpoint.', env: 'AUTHCTL_FROM_TERRAFORM', exactlyOne: ['from-terraform', 'host'] }),
    host: Flags.string({ summary: 'The database endpoint itself.', env: 'AUTHCTL_DB_HOST', exactlyOne: ['from-terraform', 'host'] }),
    'terraform-timeout': Flags.string({ summary: 'How long terraform output may take.', env: 'AUTHCTL_TERRAFORM_TIMEOUT', default: '60s' }),
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DbSetHost)
    const { dbSetHostCommand } = await import('../../plays/db-set-host/command.js')
    const dir = flags['from-terraform']
    const source = dir === undefined ? { host: flags.host ?? '' } : { terraformDir: dir, timeoutMs: parseDuration('terraform-timeout', flags['terraform-timeout']) }
    return dbSetHostCommand({ inventory: flags.inventory, source, check: flags.check === true, yes: flags.yes === true, json: this.jsonEnabled() })
  }
}
