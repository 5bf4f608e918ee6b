// Local processes (terraform fmt, docker-compose config, ssh-keyscan…) through execa, imported
// lazily because it costs ~100 ms that `authctl --help` should not pay.
import { ConfigError } from '../errors.js'

// How to run a local command; secrets go through `input`, never through args.
export interface LocalOptions {
  input?: string | Buffer
  timeoutMs?: number
  cwd?: string
  env?: Record<string, string | undefined>
  // false: `env` is the whole environment (default: added to authctl's own)
  extendEnv?: boolean
}

// A finished local command: output untrimmed; exitCode null when killed (timedOut says why).
export interface LocalResult {
  stdout: string
  stderr: string
  exitCode: number | null
  timedOut: boolean
}

// Runs a program without a shell and never rejects on a non-zero exit; a program that cannot
// start at all (not installed) is a ConfigError naming it.
export async function runLocal(file: string, args: readonly string[], opts: LocalOptions = {}): Promise<LocalResult> {
  const { execa } = await import('execa')
  const result = await execa(file, args, {
    reject: false,
    input: opts.input,
    timeout: opts.timeoutMs,
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
    stripFinalNewline: false,
    encoding: 'utf8',
  })
  const code = (result as { code?: string }).code
  if (result.failed && result.exitCode === undefined && !result.timedOut && result.signal === undefined && code !== undefined) {
    throw new ConfigError(`cannot run ${file}: ${result.shortMessage}`, { hint: `check that ${file} is installed and on PATH`, cause: result })
  }
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? null, timedOut: result.timedOut }
}
