// For `status --login-test`: the AppRole credentials a host has deployed, read over SSH as root
// (base64 in the command's output, never in its argv) and wrapped as Secret the moment they arrive.
import { HostFailedError } from '../../errors.js'
import { Secret } from '../../util/secret.js'
import { parseReadFiles, readFilesArgv } from '../../remote/read-files-script.js'
import type { RemoteHost } from '../../remote/remote-host.js'
import { stackPaths } from '../../stack/layout.js'

// The host's credentials, only ever as Secret.
export interface DeployedCredentials {
  roleId: Secret
  secretId: Secret
}

// The deployed role-id and secret-id, or why they cannot be used (a file missing or empty).
export async function readCredentials(remote: RemoteHost, root: string): Promise<DeployedCredentials | { missing: string }> {
  const p = stackPaths(root)
  const files = [p.credential('role-id'), p.credential('secret-id')]
  const r = await remote.exec(readFilesArgv(files), { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 })
  if (r.code !== 0) throw new HostFailedError(`${remote.name}: reading the deployed credentials failed (exit ${String(r.code)}): ${r.stderr.trim().slice(0, 200)}`)
  const read = parseReadFiles(r.stdout)
  const [roleId, secretId] = files.map((f) => read.get(f)?.trim())
  if (!roleId) return { missing: `${files[0]} is missing or empty` }
  if (!secretId) return { missing: `${files[1]} is missing or empty` }
  return { roleId: new Secret(roleId), secretId: new Secret(secretId) }
}
