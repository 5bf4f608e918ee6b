// The password change through the RDS API (the runbook's `aws rds modify-db-instance
// --master-user-password … --apply-immediately`), then a bounded wait until RDS has applied it.
import { ConfigError, DatabaseError } from '../errors.js'
import type { Secret } from '../output/secret.js'
import type { DbPasswordChanger, PreflightInfo, WaitOptions } from './db-types.js'
import { pollUntil } from './poll.js'
import { createRdsApi, type RdsApi, type RdsApiOptions, type RdsInstanceView } from './rds-api.js'
import { managedPasswordError } from './rds-error.js'
import { rdsPasswordProblem } from './rds-password-rules.js'

// The inventory's default rds_instance_id.
export const DEFAULT_RDS_INSTANCE_ID = 'cwiq-shared-authentik-postgres'

// Applying a master password usually takes a minute or two.
const DEFAULT_WAIT_MS = 10 * 60_000
const DEFAULT_INTERVAL_MS = 10_000

// Statuses from which RDS will not finish applying the password on its own.
const STUCK = new Set(['failed', 'incompatible-credentials', 'incompatible-parameters', 'inaccessible-encryption-credentials', 'stopped', 'storage-full'])

// Which instance, and where the SDK finds credentials and region.
export interface RdsChangerOptions extends RdsApiOptions {
  instanceId: string
}

// DbPasswordChanger for `--method rds` (the default).
export class RdsPasswordChanger implements DbPasswordChanger {
  readonly method = 'rds'
  #api?: Promise<RdsApi>

  constructor(private readonly opts: RdsChangerOptions) {}

  // For a test or another caller that already has an API client.
  static withApi(opts: RdsChangerOptions, api: RdsApi): RdsPasswordChanger {
    const changer = new RdsPasswordChanger(opts)
    changer.#api = Promise.resolve(api)
    return changer
  }

  #client(): Promise<RdsApi> {
    this.#api ??= createRdsApi(this.opts)
    return this.#api
  }

  async preflight(signal?: AbortSignal): Promise<PreflightInfo> {
    const instance = await (await this.#client()).describe(this.opts.instanceId, signal)
    if (instance.managedPassword) throw managedPasswordError(instance.id)
    if (instance.status !== 'available' || instance.passwordPending) {
      throw new DatabaseError(`RDS instance ${instance.id} is ${instance.status}${instance.passwordPending ? ' with a master password change pending' : ''}`, {
        reason: 'state', hint: 'Wait until it is "available" with nothing pending (or finish the earlier rotation with --resume).',
      })
    }
    return {
      target: `RDS instance ${instance.id} (master user ${instance.masterUsername || 'unknown'})`, status: instance.status, user: instance.masterUsername,
      ...(instance.endpoint === undefined ? {} : { endpoint: { host: instance.endpoint.address, port: instance.endpoint.port } }),
    }
  }

  async changePassword(newPassword: Secret, signal?: AbortSignal): Promise<void> {
    const problem = rdsPasswordProblem(newPassword)
    if (problem !== undefined) throw new ConfigError(`the new password is not valid for RDS: ${problem}`, { hint: 'Generate it from [A-Za-z0-9] as the runbook does; nothing was changed.' })
    const instance = await (await this.#client()).modifyPassword(this.opts.instanceId, newPassword, signal)
    if (instance.managedPassword) throw managedPasswordError(instance.id)
  }

  async waitApplied(options: WaitOptions = {}): Promise<void> {
    const api = await this.#client()
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
    let last: RdsInstanceView | undefined
    await pollUntil(async (elapsedMs) => {
      last = await api.describe(this.opts.instanceId, options.signal)
      options.onProgress?.({ status: last.status, pending: last.passwordPending, elapsedMs })
      if (STUCK.has(last.status)) throw new DatabaseError(`RDS instance ${last.id} is ${last.status}; the new master password was not applied`, { reason: 'state', hint: 'Look at the instance in the RDS console; Vault still holds the previous password if the rotation rolled back.' })
      return last.status === 'available' && !last.passwordPending ? true : undefined
    }, { timeoutMs, intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS, signal: options.signal }, (elapsedMs) => new DatabaseError(
      `RDS instance ${this.opts.instanceId} did not apply the new master password within ${Math.round(elapsedMs / 1000)} s (last status ${last?.status ?? 'unknown'}${last?.passwordPending ? ', MasterUserPassword pending' : ''})`,
      { reason: 'timeout', hint: 'RDS may still apply it: check `aws rds describe-db-instances`, then run the rotation again with --resume.' },
    ))
  }

  async close(): Promise<void> {
    const api = await this.#api?.catch(() => undefined)
    api?.close()
  }
}
