// The stand-in's DB instances: what DescribeDBInstances shows and what ModifyDBInstance does, with the
// master password applied to the throwaway PostgreSQL by ALTER ROLE once the change "completes".
import pg from 'pg'
import { alterRolePasswordSql } from '../../../src/db/role-sql.js'
import { Secret } from '../../../src/util/secret.js'

// Faults an instance can be given.
export interface InstanceFaults {
  // ModifyDBInstance answers InvalidDBInstanceState (another modification in progress).
  failModify?: boolean
  // The change stays pending forever (for the wait bound).
  stuck?: boolean
  // ManageMasterUserPassword is on: Secrets Manager owns the password.
  managedPassword?: boolean
}

// One instance: its identity, where its PostgreSQL is, and the admin login the stand-in applies with.
export interface InstanceConfig {
  id: string
  masterUsername: string
  address: string
  port: number
  admin: { connectionString: string }
  // How long "resetting-master-credentials" lasts after a modify (default 300 ms).
  applyAfterMs?: number
  faults?: InstanceFaults
  // Test hooks at exact moments: before a modify is handled, and after a new password was applied.
  hooks?: InstanceHooks
}

// Awaited by the stand-in, so a test can act (arm a fault, stop PostgreSQL) between two exact steps.
export interface InstanceHooks {
  onModify?: () => Promise<void>
  onApplied?: () => Promise<void>
}

// A refusal the Query API turns into an XML error.
export class RdsFault extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

interface Instance extends InstanceConfig {
  faults: InstanceFaults
  pending?: { password: Secret; applyAt: number }
  modifies: number
}

// Every instance of the stand-in, keyed by identifier.
export class Instances {
  readonly #all = new Map<string, Instance>()

  add(config: InstanceConfig): void {
    this.#all.set(config.id, { ...config, faults: { ...config.faults }, modifies: 0 })
  }

  setFaults(id: string, faults: InstanceFaults): void {
    this.#get(id).faults = { ...faults }
  }

  setHooks(id: string, hooks: InstanceHooks): void {
    this.#get(id).hooks = { ...hooks }
  }

  setApplyAfter(id: string, ms: number): void {
    this.#get(id).applyAfterMs = ms
  }

  // How many ModifyDBInstance calls reached an instance (refused ones included).
  modifyCount(id: string): number {
    return this.#get(id).modifies
  }

  #get(id: string): Instance {
    const instance = this.#all.get(id)
    if (instance === undefined) throw new RdsFault(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`)
    return instance
  }

  async describe(id: string): Promise<Record<string, unknown>> {
    const instance = this.#get(id)
    await this.#applyIfDue(instance)
    return this.#view(instance, instance.pending ? 'resetting-master-credentials' : 'available')
  }

  async modify(id: string, params: URLSearchParams): Promise<Record<string, unknown>> {
    const instance = this.#get(id)
    await instance.hooks?.onModify?.()
    instance.modifies++
    const password = params.get('MasterUserPassword')
    if (password === null) return this.#view(instance, 'available')
    if (instance.faults.failModify || instance.pending) throw new RdsFault(400, 'InvalidDBInstanceState', 'Database instance is not in available state.')
    if (instance.faults.managedPassword) {
      throw new RdsFault(400, 'InvalidParameterCombination', 'You can\'t specify MasterUserPassword for a DB instance with ManageMasterUserPassword turned on.')
    }
    if (password.length < 8 || password.length > 128 || !/^[\x21-\x7e]*$/.test(password) || /[/"@]/.test(password)) {
      throw new RdsFault(400, 'InvalidParameterValue', 'The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides \'/\', \'@\', \'"\', \' \' may be used.')
    }
    if (params.get('ApplyImmediately') !== 'true') throw new RdsFault(400, 'InvalidParameterCombination', 'This stand-in only applies changes immediately (ApplyImmediately=true).')
    instance.pending = { password: new Secret(password), applyAt: Date.now() + (instance.applyAfterMs ?? 300) }
    // The response still says available: RDS switches the status only once it starts applying.
    return this.#view(instance, 'available')
  }

  async #applyIfDue(instance: Instance): Promise<void> {
    const pending = instance.pending
    if (pending === undefined || instance.faults.stuck || Date.now() < pending.applyAt) return
    const admin = new pg.Client({ connectionString: instance.admin.connectionString })
    await admin.connect()
    try {
      // As RDS does: the plain password, hashed by the server per its password_encryption.
      await admin.query(alterRolePasswordSql(admin, instance.masterUsername, pending.password.reveal()))
    } finally {
      await admin.end()
    }
    instance.pending = undefined
    await instance.hooks?.onApplied?.()
  }

  #view(instance: Instance, status: string): Record<string, unknown> {
    return {
      DBInstanceIdentifier: instance.id,
      DBInstanceClass: 'db.t4g.micro',
      Engine: 'postgres',
      DBInstanceStatus: status,
      MasterUsername: instance.masterUsername,
      Endpoint: { Address: instance.address, Port: instance.port },
      PendingModifiedValues: instance.pending ? { MasterUserPassword: '****' } : {},
      MasterUserSecret: instance.faults.managedPassword ? { SecretArn: `arn:aws:secretsmanager:us-west-2:000000000000:secret:rds!db-${instance.id}`, SecretStatus: 'active' } : undefined,
    }
  }
}
