// In-memory state of the test server: tokens, policies, auth mounts, AppRole, KV v2, wrapped responses.
import type { TestClock } from './clock.js'
import type { PathRule } from './policy-parse.js'
import type { LockoutCounter, LockoutTune } from './user-lockout.js'

// A token as the token store keeps it.
export interface TokenEntry {
  id: string
  accessor: string
  policies: string[]
  path: string
  displayName: string
  meta: Record<string, string> | null
  creationTime: number
  creationTtl: number
  explicitMaxTtl: number
  maxExpireAt: number | null
  expireAt: number | null
  numUses: number
  renewable: boolean
  orphan: boolean
  entityId: string
  // Wrapping tokens carry the response they guard.
  wrapped?: WrappedResponse
}

// A response stored behind a wrapping token (vault/wrapping.go).
export interface WrappedResponse {
  body: string
  status: number
  creationPath: string
  creationTime: number
  ttl: number
}

// One AppRole role (builtin/credential/approle/path_role.go fields we honour).
export interface Role {
  name: string
  roleId: string
  bindSecretId: boolean
  secretIdBoundCidrs: string[]
  secretIdNumUses: number
  secretIdTtl: number
  localSecretIds: boolean
  tokenTtl: number
  tokenMaxTtl: number
  tokenPolicies: string[]
  tokenBoundCidrs: string[]
  tokenExplicitMaxTtl: number
  tokenNoDefaultPolicy: boolean
  tokenNumUses: number
  tokenPeriod: number
  tokenType: string
  secretIds: Map<string, SecretIdEntry> // keyed by secret-id value
}

// One issued secret-id.
export interface SecretIdEntry {
  secretId: string
  accessor: string
  metadata: Record<string, string>
  cidrList: string[]
  tokenBoundCidrs: string[]
  numUses: number
  ttl: number
  creationTime: number
  lastUpdatedTime: number
  expiresAt: number | null
}

// An enabled auth method (sys/auth).
export interface AuthMount {
  type: string
  description: string
  accessor: string
  roles: Map<string, Role>
  // user_lockout_config tuned on the mount, and failed-login counters by role-id
  userLockout?: LockoutTune
  lockouts?: Map<string, LockoutCounter>
}

// One version of a KV v2 key.
export interface KvVersion {
  data: Record<string, unknown> | null
  createdTime: number
  deletionTime: number | null
  destroyed: boolean
}

// Metadata and versions of one KV v2 key.
export interface KvKey {
  createdTime: number
  updatedTime: number
  currentVersion: number
  oldestVersion: number
  maxVersions: number
  casRequired: boolean
  deleteVersionAfter: number
  customMetadata: Record<string, string> | null
  versions: Map<number, KvVersion>
}

// A stored ACL policy: its text (returned verbatim) and parsed rules.
export interface StoredPolicy {
  name: string
  text: string
  rules: PathRule[]
}

// Replication/standby mode reported by sys/health.
export type HealthMode = 'active' | 'standby' | 'perfstandby' | 'drsecondary' | 'uninitialized'

// Everything the handlers share.
export interface ServerState {
  clock: TestClock
  sealed: boolean
  mode: HealthMode
  rootToken: string
  clusterId: string
  clusterName: string
  tokens: Map<string, TokenEntry>
  policies: Map<string, StoredPolicy>
  authMounts: Map<string, AuthMount> // key "approle/"
  kv: Map<string, KvKey> // key: path below the mount
  kvConfig: { maxVersions: number; casRequired: boolean; deleteVersionAfter: number }
  // Apply Vault's default user lockout to mounts that were not tuned (off unless a test turns it on).
  defaultUserLockout?: boolean
}
