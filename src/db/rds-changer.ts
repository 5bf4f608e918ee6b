// The password change through the RDS API (the runbook's `aws rds modify-db-instance
// --master-user-password … --apply-immediately`), then a bounded wait until RDS has applied it.
import { ConfigError, DatabaseError, InterruptedError } from '../errors.js'
import type { Secret } from '../util/secret.js'
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

// After a ModifyDBInstance whose outcome is unknown: how long to look at the instance (at most a minute;
// past it --resume looks again), and how often.
const SETTLE_MS = 60_000
const SETTLE_INTERVAL_MS = 2_000

// Failures that do not say whether RDS took the change.
const OUTCOME_UNKNOWN = new Set(['unknown', 'unreachable', 'timeout'])

// Which instance, and where the SDK finds credentials and region.
export interface RdsChangerOptions extends RdsApiOptions {
  instanceId: string
  // Bounds the look at the instance after an unknown outcome (capped at SETTLE_MS).
  settleTimeoutMs?: number
  settleIntervalMs?: number
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
    const api = await this.#client()
    let instance: RdsInstanceView
    try {
      instance = await api.modifyPassword(this.opts.instanceId, newPassword, signal)
    } catch (error) {
      if (!(error instanceof DatabaseError) || !OUTCOME_UNKNOWN.has(error.reason)) throw error
      return this.#settle(api, error, signal)
    }
    if (instance.managedPassword) throw managedPasswordError(instance.id)
  }

  // The modify's answer did not say whether RDS took it: describe the instance until MasterUserPassword
  // shows as pending (taken: resolve) or two looks in a row show nothing pending (throw, outcome still
  // 'unknown': it may have been applied already, which only a login can tell).
  async #settle(api: RdsApi, cause: DatabaseError, signal?: AbortSignal): Promise<void> {
    const timeoutMs = Math.min(this.opts.settleTimeoutMs ?? SETTLE_MS, SETTLE_MS)
    let clear = 0
    let lastError: Error | undefined
    let last: RdsInstanceView | undefined
    const seen = await pollUntil(async () => {
      try {
        last = await api.describe(this.opts.instanceId, signal)
      } catch (error) {
        if (error instanceof InterruptedError) throw error
        lastError = error as Error
        clear = 0
        return undefined
      }
      if (last.passwordPending || last.status === 'resetting-master-credentials') return 'pending' as const
      return ++clear >= 2 ? ('clear' as const) : undefined
    }, { timeoutMs, intervalMs: this.opts.settleIntervalMs ?? SETTLE_INTERVAL_MS, signal }, () => new DatabaseError(
      `${cause.message}; whether RDS took the change could not be told within ${Math.round(timeoutMs / 1000)} s (${lastError === undefined ? `last status ${last?.status ?? 'unknown'}` : `DescribeDBInstances: ${lastError.message}`})`,
      { reason: 'unknown', hint: 'RDS may still apply it: do not roll Vault back by hand. Run authctl rotate-db-password --resume once RDS answers.' },
    ))
    if (seen === 'pending') return
    throw new DatabaseError(`${cause.message}; RDS shows no master password change pending on ${this.opts.instanceId} (${last?.status ?? 'unknown'}), so it did not take it or has applied it already`, {
      reason: 'unknown', hint: cause.hint,
    })
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
