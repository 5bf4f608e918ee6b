// `authctl rotate-db-password`: a thin adapter from flags to the database password rotation.
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { confirmFlags, connectionFlags, hostSelection, inventoryFlags, parseDuration, restartWaitFlags, rolloutFlags, rolloutInput } from '../flags.js'

export default class RotateDbPassword extends BaseCommand {
  static override summary = 'Rotate the database password: Vault, then the database, verified by a real login, then a rolling restart; recoverable at every step.'
  static override description = [
    'Reads the database secret (version v) and checks that its password logs in; generates a new password; writes it as version v+1 with check-and-set on v;',
    'changes it in the database (--method rds: ModifyDBInstance on rds_instance_id and a bounded wait until applied; --method sql: ALTER ROLE);',
    'logs in with it along the same path; then restarts the hosts one batch at a time. A failure while changing or verifying rolls Vault back',
    '(version v\'s data written as a new version) or, when the database may still apply the change, leaves a journal on the bastion that --resume finishes.',
    'Asks on a terminal; without one it needs --yes.',
  ].join(' ')
  static override examples = [
    '<%= config.bin %> rotate-db-password --aws-profile shared-services',
    '<%= config.bin %> rotate-db-password --method sql --via authentik-1 --yes --json',
    '<%= config.bin %> rotate-db-password --resume',
  ]

  static override flags = {
    inventory: inventoryFlags.inventory,
    ...connectionFlags,
    ...rolloutFlags,
    method: Flags.string({ summary: 'How the database changes it: rds (ModifyDBInstance, the default) or sql (ALTER ROLE as pg_user).', env: 'AUTHCTL_DB_METHOD', options: ['rds', 'sql'] }),
    via: Flags.string({ summary: 'Reach PostgreSQL through an SSH tunnel via this inventory host (the hosts reach the database; the bastion often does not).', env: 'AUTHCTL_DB_VIA' }),
    'aws-profile': Flags.string({ summary: 'AWS profile for the RDS API (default: AWS_PROFILE, then the SDK\'s default chain).', env: 'AUTHCTL_AWS_PROFILE' }),
    length: Flags.integer({ summary: 'Characters in the new password, from [A-Za-z0-9] (valid for RDS).', env: 'AUTHCTL_PASSWORD_LENGTH', default: 32, min: 16, max: 128 }),
    'no-restart': Flags.boolean({ summary: 'Do not restart the hosts: server and worker keep using the previous password for new connections until restarted.', env: 'AUTHCTL_NO_RESTART' }),
    resume: Flags.boolean({ summary: 'Finish the rotation an earlier run left unfinished (journal on this bastion).', env: 'AUTHCTL_RESUME' }),
    'apply-timeout': Flags.string({ summary: 'How long to wait for RDS to apply the new password.', env: 'AUTHCTL_APPLY_TIMEOUT', default: '10m' }),
    ...restartWaitFlags,
    ...confirmFlags,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(RotateDbPassword)
    const { rotateDbPasswordCommand } = await import('../plays/rotate-db-password/command.js')
    const result = await rotateDbPasswordCommand({
      ...hostSelection(flags), ...rolloutInput(flags), waitTimeoutS: Math.ceil(parseDuration('timeout', flags.timeout) / 1000),
      method: flags.method as 'rds' | 'sql' | undefined, via: flags.via, awsProfile: flags['aws-profile'], length: flags.length,
      restart: flags['no-restart'] !== true, resume: flags.resume === true, applyTimeoutMs: parseDuration('apply-timeout', flags['apply-timeout']),
      yes: flags.yes === true, json: this.jsonEnabled(), argv: this.argv,
    })
    process.exitCode = result.exitCode
    return result
  }
}
