// For --diff: one extra round trip that reads the current content of the non-secret files that change.
import { HostFailedError } from '../../errors.js'
import { sanitizeRemote } from '../../util/sanitize.js'
import { parseReadFiles, readFilesArgv } from '../../remote/read-files-script.js'
import type { RemoteHost } from '../../remote/remote-host.js'

export async function fetchBefore(remote: RemoteHost, paths: readonly string[]): Promise<Map<string, string | undefined>> {
  if (paths.length === 0) return new Map()
  const r = await remote.exec(readFilesArgv(paths))
  if (r.code !== 0) throw new HostFailedError(`${remote.name}: reading files for --diff failed: ${sanitizeRemote(r.stderr.trim(), { maxBytes: 300 })}`)
  return parseReadFiles(r.stdout)
}
