// The files setup adds beside the rendered ones: the AppRole role-id and secret-id (readable by the
// agent's uid 100 only), the secret-id record and the pending-restart marker.
import type { Secret } from '../util/secret.js'
import { credentialFile } from '../render/bundle.js'
import type { RestartKind } from '../remote/converge-script.js'
import type { HostPaths } from '../stack/host-paths.js'
import type { DesiredFile } from '../render/desired.js'
import type { SecretIdDecision } from './secret-id.js'
import { contentSha, formatRecord, type SecretIdRecord } from './secret-id-record.js'

// role-id always; secret-id only when one was minted (or, under --check, would be).
export function credentialFiles(root: string, roleId: string, secretId: Secret | undefined, wouldMint: boolean): DesiredFile[] {
  const files = [credentialFile(root, 'role-id', roleId + '\n')]
  if (secretId) files.push(credentialFile(root, 'secret-id', secretIdContent(secretId)))
  // a placeholder that can never match the host's file, so --check reports the change
  else if (wouldMint) files.push(credentialFile(root, 'secret-id', `\u0000would-mint-${Date.now()}`))
  return files
}

// The secret-id file's content (what its recorded checksum is taken of).
export function secretIdContent(secretId: Secret): string {
  return secretId.reveal() + '\n'
}

// The secret-id record: not a secret (accessors and a checksum cannot log in), root-only all the same.
export function recordFile(paths: HostPaths, record: Pick<SecretIdRecord, 'current' | 'pending' | 'owed'>): DesiredFile {
  return { path: paths.secretIdAccessor, content: formatRecord(record), mode: 0o600, uid: 0, gid: 0, secret: false, restarts: 'none' }
}

// The record before and after a new secret-id file: written first, the "before" one names the new
// secret-id as pending, so a write cut between the two files still tells the next run which one the
// host holds; the "after" one makes it current and owes the previous one a destroy.
export function swapRecords(paths: HostPaths, decision: SecretIdDecision, minted: { secretId: Secret; accessor: string }, fileSha: string | undefined) {
  const pending = { accessor: minted.accessor, sha256: contentSha(secretIdContent(minted.secretId)) }
  const previous = decision.action === 'mint' ? decision.previous : undefined
  const current = previous ? { accessor: previous, sha256: fileSha } : undefined
  const owed = owedAfterSwap(decision)
  return {
    before: recordFile(paths, { current, pending, owed: decision.owed }),
    after: recordFile(paths, { current: pending, owed }),
    owed,
  }
}

// What a swap leaves owed a destroy once the host is healthy: the previous secret-id (unless it is a
// shared one other hosts may run on) and what was owed already. Known before the new one is minted.
export function owedAfterSwap(decision: SecretIdDecision): string[] {
  const previous = decision.action === 'mint' ? decision.previous : undefined
  const destroyPrevious = previous !== undefined && !(decision.action === 'mint' && decision.keepPrevious)
  return [...(destroyPrevious && previous !== undefined ? [previous] : []), ...decision.owed.filter((a) => a !== previous)]
}

// The record a swap will write, before its secret-id is minted (the plan only needs to know it
// changes: it names an accessor no host record can hold yet).
export function recordToMint(paths: HostPaths): DesiredFile {
  return recordFile(paths, { current: { accessor: '(minted-at-apply)' }, owed: [] })
}

// The marker that records a restart owed, written before any other file.
export function pendingFile(paths: HostPaths, kind: RestartKind): DesiredFile {
  return { path: paths.pendingRestart, content: kind + '\n', mode: 0o600, uid: 0, gid: 0, secret: false, restarts: 'none' }
}
