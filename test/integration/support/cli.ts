// Runs the built CLI as a user would (node bin/run.js …) and keeps every output for later searches.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../../support/testbed/index.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

// Every output of every run in this process, for the sentinel search.
export const allOutputs: string[] = []

// `input`, when given, is written to the CLI's stdin (for `--from-file -`); otherwise stdin is closed.
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end(input)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      allOutputs.push(stdout, stderr)
      resolve({ code, stdout, stderr })
    })
  })
}
