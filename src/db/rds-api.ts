// The two RDS calls the rotation makes, through AWS SDK v3 (imported only when used). Credentials and
// region come from the SDK's standard chain; AWS_ENDPOINT_URL_RDS redirects it without any hook here.
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds'
import type { Secret } from '../util/secret.js'
import { rdsFailure } from './rds-error.js'

// What authctl reads of an instance, narrowed from the SDK's all-optional shape (RDS never returns a password).
export interface RdsInstanceView {
  id: string
  status: string
  masterUsername: string
  // MasterUserPassword is among PendingModifiedValues: a change is still being applied.
  passwordPending: boolean
  // ManageMasterUserPassword is on: Secrets Manager owns the password and ModifyDBInstance may not set it.
  managedPassword: boolean
  endpoint?: { address: string; port: number }
}

// Where the SDK looks for credentials and region besides its defaults.
export interface RdsApiOptions {
  // A named profile of the shared config files (--aws-profile); AWS_PROFILE when unset.
  profile?: string
  region?: string
}

// The RDS operations, each mapping SDK errors to AuthctlErrors with the password cut out.
export interface RdsApi {
  describe(instanceId: string, signal?: AbortSignal): Promise<RdsInstanceView>
  modifyPassword(instanceId: string, password: Secret, signal?: AbortSignal): Promise<RdsInstanceView>
  close(): void
}

function view(instance: DBInstance | undefined, id: string): RdsInstanceView {
  const address = instance?.Endpoint?.Address
  return {
    id: instance?.DBInstanceIdentifier ?? id,
    status: instance?.DBInstanceStatus ?? 'unknown',
    masterUsername: instance?.MasterUsername ?? '',
    passwordPending: instance?.PendingModifiedValues?.MasterUserPassword !== undefined,
    managedPassword: instance?.MasterUserSecret !== undefined,
    ...(address === undefined ? {} : { endpoint: { address, port: instance?.Endpoint?.Port ?? 5432 } }),
  }
}

// A client for one run; close() releases its sockets.
export async function createRdsApi(options: RdsApiOptions = {}): Promise<RdsApi> {
  // On Node 20 the SDK warns on stderr at client creation that later releases need Node 22: noise for an
  // operator mid-rotation (libraries.md); an explicit setting of the operator's own is kept.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const sdk = await import('@aws-sdk/client-rds')
  const client: RDSClient = new sdk.RDSClient({
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.region === undefined ? {} : { region: options.region }),
  })
  const where = (id: string): { instanceId: string; profile?: string } => ({ instanceId: id, profile: options.profile })
  return {
    async describe(instanceId, signal) {
      try {
        const out = await client.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }), { abortSignal: signal })
        return view(out.DBInstances?.[0], instanceId)
      } catch (error) {
        throw rdsFailure(error, 'describe', where(instanceId), [], signal)
      }
    },
    async modifyPassword(instanceId, password, signal) {
      try {
        const command = new sdk.ModifyDBInstanceCommand({ DBInstanceIdentifier: instanceId, MasterUserPassword: password.reveal(), ApplyImmediately: true })
        const out = await client.send(command, { abortSignal: signal })
        return view(out.DBInstance, instanceId)
      } catch (error) {
        throw rdsFailure(error, 'modify', where(instanceId), [password], signal)
      }
    },
    close: () => client.destroy(),
  }
}
