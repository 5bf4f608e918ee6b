// SDK errors of the RDS calls as AuthctlErrors: the user's input (instance, profile, credentials, region)
// is a ConfigError, RDS refusing or failing the change a DatabaseError; the password never appears.
import { AuthctlError, ConfigError, DatabaseError, InterruptedError } from '../errors.js'
import { redact, type Secret } from '../output/secret.js'

// The instance and profile a call was about, for messages.
export interface RdsCallSite {
  instanceId: string
  profile?: string
}

const CREDENTIAL_CODES = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'ExpiredToken', 'ExpiredTokenException', 'InvalidSignatureException', 'IncompleteSignature', 'AuthFailure'])
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

function codeOf(error: unknown): { name: string; code: string; message: string } {
  const e = (error ?? {}) as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown }
  const str = (v: unknown): string => (typeof v === 'string' ? v : '')
  return { name: str(e.name), code: str(e.Code) || str(e.code), message: str(e.message) || String(error) }
}

// The AuthctlError for a failed `describe` or `modify` call (already-typed errors pass through).
export function rdsFailure(error: unknown, call: 'describe' | 'modify', site: RdsCallSite, secrets: Secret[], signal?: AbortSignal): AuthctlError {
  if (signal?.aborted) return new InterruptedError(`interrupted during the RDS ${call === 'modify' ? 'ModifyDBInstance' : 'DescribeDBInstances'} call for ${site.instanceId}`)
  if (error instanceof AuthctlError) return error
  const { name, code, message: raw } = codeOf(error)
  const message = redact(raw, secrets)
  const id = site.instanceId
  const profile = site.profile === undefined ? 'the default AWS credentials' : `AWS profile ${site.profile}`
  const both = `${name} ${code}`
  if (/DBInstanceNotFound/.test(both)) {
    return new ConfigError(`RDS instance ${id} was not found (${profile}): ${message}`, { hint: 'Check rds_instance_id in the inventory, and that the profile and region are those of the account holding the instance.' })
  }
  if (/ManageMasterUserPassword|MasterUserSecret/i.test(message)) return managedPasswordError(id)
  if (/InvalidDBInstanceState/.test(both)) {
    return new DatabaseError(`RDS instance ${id} cannot be modified in its current state: ${message}`, { reason: 'state', hint: 'Wait until the instance is "available" (aws rds describe-db-instances), then retry.' })
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new ConfigError(`no AWS credentials found for ${profile}: ${message}`, { hint: 'Pass --aws-profile (as the runbook\'s --profile shared-services) or set AWS_PROFILE, or log in with `aws sso login`.' })
  }
  if (/region is missing/i.test(message)) {
    return new ConfigError(`no AWS region configured for ${profile}`, { hint: 'Check that the profile exists in ~/.aws/config and has a region, or export AWS_REGION.' })
  }
  if (CREDENTIAL_CODES.has(name) || CREDENTIAL_CODES.has(code)) {
    return new ConfigError(`AWS refused the credentials of ${profile} (${name || code}): ${message}`, { hint: 'The access key is unknown, expired or its secret is wrong: refresh the profile\'s credentials.' })
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation/.test(both)) {
    return new DatabaseError(`AWS denied ${call === 'modify' ? 'rds:ModifyDBInstance' : 'rds:DescribeDBInstances'} on ${id} to ${profile}: ${message}`, { reason: 'refused', hint: 'Use a profile whose role may describe and modify this instance.' })
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new DatabaseError(`cannot reach the RDS API for ${id}: ${message}`, { reason: 'unreachable', hint: 'Check the network path to the RDS endpoint of the region (or AWS_ENDPOINT_URL_RDS).' })
  }
  return new DatabaseError(`RDS ${call === 'modify' ? 'ModifyDBInstance' : 'DescribeDBInstances'} failed for ${id}: ${name || code || 'error'}: ${message}`, { reason: 'refused', hint: 'RDS refused the request; look at the instance in the RDS console and retry.' })
}

// ManageMasterUserPassword is on: Secrets Manager rotates this password, so authctl must not.
export function managedPasswordError(instanceId: string): ConfigError {
  return new ConfigError(`RDS instance ${instanceId} has ManageMasterUserPassword on: Secrets Manager manages its master password, which ModifyDBInstance cannot set`, {
    hint: 'Rotate it in Secrets Manager (aws rds modify-db-instance --rotate-master-user-password), or turn ManageMasterUserPassword off first; nothing was changed.',
  })
}
