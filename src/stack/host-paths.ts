// Where authctl keeps its own bookkeeping on a host, all under the deploy root (/data/authentik).
import { posix } from 'node:path'
import { stackPaths } from './layout.js'

// The host-side paths of one deployment; every builder takes them from here so they agree.
export interface HostPaths {
  root: string
  composeFile: string
  lockDir: string
  lockDetails: string
  pendingRestart: string
  auditLog: string
  secretIdAccessor: string
}

// Derives every bookkeeping path from the deploy root.
export function hostPaths(root: string): HostPaths {
  const lockDir = posix.join(root, 'authctl.lock')
  return {
    root,
    composeFile: stackPaths(root).composeFile,
    lockDir,
    lockDetails: posix.join(lockDir, 'details.json'),
    pendingRestart: posix.join(root, '.authctl-pending-restart'),
    auditLog: posix.join(root, 'authctl-audit.log'),
    secretIdAccessor: posix.join(root, 'vault', 'config', 'secret-id.accessor'),
  }
}
