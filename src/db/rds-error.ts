// SDK errors of the RDS calls as AuthctlErrors: the user's input (instance, profile, credentials, region)
// is a ConfigError, RDS refusing or failing the change a DatabaseError; the password never appears.
import { AuthctlError, ConfigError, DatabaseError, InterruptedError } from '../errors.js'
import { redact, type Secret } from '../util/secret.js'

// The instance and profile a call was about, for messages.
export interface RdsCallSite {
  instanceId: string
  profile?: string
}

const CREDENTIAL_CODES = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'ExpiredToken', 'ExpiredTokenException', 'InvalidSignatureException', 'IncompleteSignature', 'AuthFailure'])
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

// Throttling as AWS names it (the SDK retries these, then gives up with the last one).
const THROTTLING = /Throttl|RequestLimitExceeded|TooManyRequests|SlowDown/

// The error's name and code, its HTTP status and how many attempts the SDK's retries made.
function codeOf(error: unknown): { name: string; code: string; message: string; status: number; attempts: number } {
  const e = (error ?? {}) as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown; attempts?: unknown } }
  const str = (v: unknown): string => (typeof v === 'string' ? v : '')
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0)
  return { name: str(e.name), code: str(e.Code) || str(e.code), message: str(e.message) || String(error), status: num(e.$metadata?.httpStatusCode), attempts: num(e.$metadata?.attempts) }
}

// The AuthctlError for a failed `describe` or `modify` call (already-typed errors pass through). Only the
// errors RDS documents as refusing the request (invalid parameter or state, not found, access denied,
// credentials) mean "not applied"; 5xx, throttling and anything unrecognised are reason 'unknown'.
export function rdsFailure(error: unknown, call: 'describe' | 'modify', site: RdsCallSite, secrets: Secret[], signal?: AbortSignal): AuthctlError {
  const action = call === 'modify' ? 'ModifyDBInstance' : 'DescribeDBInstances'
  if (signal?.aborted) return new InterruptedError(`interrupted during the RDS ${action} call for ${site.instanceId}`)
  if (error instanceof AuthctlError) return error
  const { attempts } = codeOf(error)
  const mapped = classify(error, call, site, secrets)
  // The SDK retries 5xx, throttling and cut connections: a refusal at a later attempt says nothing of the earlier ones.
  if (call !== 'modify' || attempts <= 1 || (mapped instanceof DatabaseError && ['unknown', 'unreachable'].includes(mapped.reason))) return mapped
  return new DatabaseError(`RDS ModifyDBInstance for ${site.instanceId}: the outcome is unknown after ${attempts} attempts (an earlier attempt failed in a way that may have applied it; the last answer: ${mapped.message})`, {
    reason: 'unknown', hint: UNKNOWN_HINT.modify,
  })
}

const UNKNOWN_HINT = {
  modify: 'Whether RDS took the change is unknown: authctl looks at the instance\'s pending modifications and the logins before it rolls anything back.',
  describe: 'RDS did not answer; retry in a minute.',
}

function classify(error: unknown, call: 'describe' | 'modify', site: RdsCallSite, secrets: Secret[]): AuthctlError {
  const action = call === 'modify' ? 'ModifyDBInstance' : 'DescribeDBInstances'
  const { name, code, message: raw, status } = codeOf(error)
  const message = redact(raw, secrets)
  const id = site.instanceId
  const profile = site.profile === undefined ? 'the default AWS credentials' : `AWS profile ${site.profile}`
  const both = `${name} ${code}`
  if (status >= 500) {
    return new DatabaseError(`RDS ${action} for ${id} failed with HTTP ${status} (${name || code || 'no error code'}): ${message}`, { reason: 'unknown', hint: UNKNOWN_HINT[call] })
  }
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
    return new DatabaseError(`AWS denied rds:${action} on ${id} to ${profile}: ${message}`, { reason: 'refused', hint: 'Use a profile whose role may describe and modify this instance.' })
  }
  if (/InvalidParameter(Value|Combination)/.test(both)) {
    return new DatabaseError(`RDS refused ${action} for ${id} (${name || code}): ${message}`, { reason: 'refused', hint: 'RDS refused the request\'s parameters; nothing was changed.' })
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new DatabaseError(`cannot reach the RDS API for ${id}: ${message}`, { reason: 'unreachable', hint: 'Check the network path to the RDS endpoint of the region (or AWS_ENDPOINT_URL_RDS).' })
  }
  if (THROTTLING.test(both)) {
    return new DatabaseError(`RDS throttled ${action} for ${id} (${name || code}): ${message}`, { reason: 'unknown', hint: UNKNOWN_HINT[call] })
  }
  return new DatabaseError(`RDS ${action} failed for ${id}: ${name || code || 'error'}: ${message}`, { reason: 'unknown', hint: UNKNOWN_HINT[call] })
}

// ManageMasterUserPassword is on: Secrets Manager rotates this password, so authctl must not.
export function managedPasswordError(instanceId: string): ConfigError {
  return new ConfigError(`RDS instance ${instanceId} has ManageMasterUserPassword on: Secrets Manager manages its master password, which ModifyDBInstance cannot set`, {
    hint: 'Rotate it in Secrets Manager (aws rds modify-db-instance --rotate-master-user-password), or turn ManageMasterUserPassword off first; nothing was changed.',
  })
}
