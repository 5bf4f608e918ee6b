// The files setup adds beside the rendered ones: the AppRole role-id and secret-id (readable by the
// agent's uid 100 only), the recorded secret-id accessor and the pending-restart marker.
import type { Secret } from '../output/secret.js'
import { credentialFile } from '../render/bundle.js'
import type { RestartKind } from '../remote/converge-script.js'
import type { HostPaths } from '../remote/paths.js'
import type { DesiredFile } from './desired.js'

// role-id always; secret-id only when one was minted (or, under --check, would be).
export function credentialFiles(root: string, roleId: string, secretId: Secret | undefined, wouldMint: boolean): DesiredFile[] {
  const files = [credentialFile(root, 'role-id', roleId + '\n')]
  if (secretId) files.push(credentialFile(root, 'secret-id', secretId.reveal() + '\n'))
  // a placeholder that can never match the host's file, so --check reports the change
  else if (wouldMint) files.push(credentialFile(root, 'secret-id', `\u0000would-mint-${Date.now()}`))
  return files
}

// The accessor of the host's secret-id: not a secret (it cannot log in), root-only all the same.
export function accessorFile(paths: HostPaths, accessor: string): DesiredFile {
  return { path: paths.secretIdAccessor, content: accessor + '\n', mode: 0o600, uid: 0, gid: 0, secret: false, restarts: 'none' }
}

// The marker that records a restart owed, written before any other file.
export function pendingFile(paths: HostPaths, kind: RestartKind): DesiredFile {
  return { path: paths.pendingRestart, content: kind + '\n', mode: 0o600, uid: 0, gid: 0, secret: false, restarts: 'none' }
}
