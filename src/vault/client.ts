// authctl's Vault client: the typed operations bound to one address and one token. Other modules
// take a VaultClient; only src/vault/ speaks HTTP to Vault.
import type { Secret } from '../util/secret.js'
import { approleLogin, type LoginResult } from './approle-login.js'
import { readRole, writeRole, type RoleSettings } from './approle-role.js'
import { enableAuth, listAuthMounts, readAuthTune, type AuthMount, type UserLockoutTune } from './auth-mounts.js'
import { createSecretId, destroySecretIdAccessor, listSecretIdAccessors, lookupSecretIdAccessor, readRoleId, type IssuedSecretId, type SecretIdInfo, type SecretIdOptions } from './approle.js'
import type { VaultConfig } from './config.js'
import { health, preflight, type HealthStatus } from './health.js'
import { kvList, kvMetadata, kvPatch, kvPatchMetadata, kvRead, kvWrite, type KvEntry, type KvMetadata, type KvValue, type KvVersionMeta } from './kv.js'
import { readPolicy, writePolicy } from './policy.js'
import { lookupSelf, revokeSelf, type TokenInfo } from './token.js'
import { createTransport, type VaultTransport } from './http-transport.js'
import { lookupWrapping, unwrap, unwrapSecretId, type UnwrappedData, type WrappingInfo } from './wrapping.js'

// Every Vault call authctl makes.
export interface VaultClient {
  readonly addr: string
  // A client for the same Vault with another token (the original keeps its own).
  withToken(token: Secret): VaultClient
  health(): Promise<HealthStatus>
  preflight(): Promise<TokenInfo>
  lookupSelf(): Promise<TokenInfo>
  // Revokes this client's own token (auth/token/revoke-self).
  revokeSelf(): Promise<void>
  readRoleId(role: string): Promise<string>
  createSecretId(role: string, opts: SecretIdOptions): Promise<IssuedSecretId>
  lookupSecretIdAccessor(role: string, accessor: string): Promise<SecretIdInfo | null>
  destroySecretIdAccessor(role: string, accessor: string): Promise<boolean>
  listSecretIdAccessors(role: string): Promise<string[]>
  approleLogin(roleId: string, secretId: Secret): Promise<LoginResult>
  lookupWrapping(token: Secret): Promise<WrappingInfo>
  unwrap(token: Secret): Promise<UnwrappedData>
  unwrapSecretId(token: Secret, role: string): Promise<{ secretId: Secret; accessor: string; ttl: number }>
  kvRead(mount: string, path: string, version?: number): Promise<KvEntry | null>
  kvWrite(mount: string, path: string, data: Record<string, KvValue>, opts?: { cas?: number }): Promise<KvVersionMeta>
  kvPatch(mount: string, path: string, data: Record<string, KvValue | null>, cas?: number): Promise<KvVersionMeta>
  kvMetadata(mount: string, path: string): Promise<KvMetadata | null>
  kvPatchMetadata(mount: string, path: string, custom: Record<string, string | null>): Promise<void>
  kvList(mount: string, folder: string): Promise<string[]>
  readPolicy(name: string): Promise<string | null>
  writePolicy(name: string, text: string): Promise<void>
  listAuthMounts(): Promise<Record<string, AuthMount>>
  enableAuth(path: string, type: string, description: string): Promise<void>
  readAuthTune(path: string): Promise<UserLockoutTune>
  readRole(role: string): Promise<RoleSettings | null>
  writeRole(role: string, settings: RoleSettings): Promise<void>
}

// Options beyond the environment: the AppRole mount (the runbook uses "approle").
export interface VaultClientOptions {
  approleMount?: string
}

function bind(t: VaultTransport, mount: string): VaultClient {
  return {
    addr: t.config.addr,
    withToken: (token) => bind(t.withToken(token), mount),
    health: () => health(t),
    preflight: () => preflight(t),
    lookupSelf: () => lookupSelf(t),
    revokeSelf: () => revokeSelf(t),
    readRoleId: (role) => readRoleId(t, role, mount),
    createSecretId: (role, opts) => createSecretId(t, role, { mount, ...opts }),
    lookupSecretIdAccessor: (role, accessor) => lookupSecretIdAccessor(t, role, accessor, mount),
    destroySecretIdAccessor: (role, accessor) => destroySecretIdAccessor(t, role, accessor, mount),
    listSecretIdAccessors: (role) => listSecretIdAccessors(t, role, mount),
    approleLogin: (roleId, secretId) => approleLogin(t, roleId, secretId, mount),
    lookupWrapping: (token) => lookupWrapping(t, token),
    unwrap: (token) => unwrap(t, token),
    unwrapSecretId: (token, role) => unwrapSecretId(t, token, role, mount),
    kvRead: (m, p, v) => kvRead(t, m, p, v),
    kvWrite: (m, p, d, o) => kvWrite(t, m, p, d, o),
    kvPatch: (m, p, d, c) => kvPatch(t, m, p, d, c),
    kvMetadata: (m, p) => kvMetadata(t, m, p),
    kvPatchMetadata: (m, p, c) => kvPatchMetadata(t, m, p, c),
    kvList: (m, f) => kvList(t, m, f),
    readPolicy: (name) => readPolicy(t, name),
    writePolicy: (name, text) => writePolicy(t, name, text),
    listAuthMounts: () => listAuthMounts(t),
    enableAuth: (path, type, description) => enableAuth(t, path, type, description),
    readAuthTune: (path) => readAuthTune(t, path),
    readRole: (role) => readRole(t, role, mount),
    writeRole: (role, settings) => writeRole(t, role, settings, mount),
  }
}

// The client for a configuration (usually vaultConfigFromEnv(process.env, os.homedir())).
export function createVaultClient(config: VaultConfig, opts: VaultClientOptions = {}): VaultClient {
  return bind(createTransport(config), opts.approleMount ?? 'approle')
}
