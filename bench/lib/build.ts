// The CLI the bench measures is the one in dist/, built from this checkout right before the run
// (then copied by lib/snapshot.ts so a rebuild by someone else cannot change it mid-run).
import { spawnSync } from 'node:child_process'

// `npm run build` in the repository; throws with its output when the build fails.
export function buildCli(repoRoot: string): void {
  const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${String(r.status)}):\n${r.stdout}${r.stderr}`.slice(-3000))
}

// The help text of one command of the built CLI, or undefined when the command does not exist.
export function commandHelp(runJs: string, command: string, env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(process.execPath, [runJs, command, '--help'], { env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] })
  return r.status === 0 ? r.stdout : undefined
}
