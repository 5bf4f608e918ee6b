// Local process helpers for the test bed: every tool runs with argv only (no shell), and a failure
// carries the tool's stderr so a broken setup says why.
import { execFile } from 'node:child_process'

export interface RunResult {
  stdout: string
  stderr: string
}

// Runs a local tool to completion; rejects with its stderr when it exits non-zero or overruns.
export function run(file: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: options.timeoutMs ?? 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }))
        return
      }
      resolve({ stdout, stderr })
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

// Resolves after ms milliseconds; the building block of every bounded wait here.
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
