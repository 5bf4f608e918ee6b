// docker compose invocations as data, always naming the file and the project explicitly so the
// command does not depend on the remote working directory.
import type { HostPaths } from '../stack/host-paths.js'

// `docker compose -f <root>/docker-compose.yml -p <project> <args…>`.
export function composeArgv(paths: HostPaths, project: string, args: readonly string[]): string[] {
  return ['docker', 'compose', '-f', paths.composeFile, '-p', project, ...args]
}
