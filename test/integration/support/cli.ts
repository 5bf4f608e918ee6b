// Runs the built CLI as a user would (node bin/run.js …) and keeps every output for later searches.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, type Testbed } from '../../support/testbed/index.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

// A run in the background: its outputs so far, a wait for a line of them, signals, and its end.
export interface BackgroundRun {
  child: ChildProcess
  stdout(): string
  stderr(): string
  ended(): boolean
  // Resolves as soon as the output (stdout and stderr, or the one named) matches `pattern`; rejects with
  // what the run printed if it ends first or `timeoutMs` passes.
  waitForOutput(pattern: RegExp, opts?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<void>
  kill(signal: NodeJS.Signals): void
  done: Promise<CliRun>
}

// What an operator's shell gives authctl against a bed: a HOME of its own (a fresh temp folder, where the
// bastion audit log lands) and the bed's Vault.
export async function cliEnv(bed: Pick<Testbed, 'vault'>): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = await mkdtemp(join(tmpdir(), 'authctl-home-'))
  return { home, env: { PATH: process.env.PATH, HOME: home, VAULT_ADDR: bed.vault?.addr, VAULT_TOKEN: bed.vault?.operatorToken, NO_COLOR: '1' } }
}

// Every output of every run in this process, for the sentinel search.
export const allOutputs: string[] = []

interface RunOptions { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string }

// `input`, when given, is written to the CLI's stdin (for `--from-file -`); otherwise stdin is closed.
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, input?: string): Promise<CliRun> {
  return spawnCli(args, env, { timeoutMs, input }).done
}

// The CLI started in the background, for tests that act while it runs (answer a line, Ctrl-C, SIGKILL).
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, opts: Omit<RunOptions, 'env'> = {}): BackgroundRun {
  return spawnProcess(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { ...opts, env })
}

// Any program, its outputs kept like runCli's (for the installed CLI and the shells around it).
export function runProcess(file: string, args: readonly string[], opts: RunOptions): Promise<CliRun> {
  return spawnProcess(file, args, opts).done
}

// Any program in the background; SIGKILLed after `timeoutMs` (120 s) so a hung run cannot hang the suite.
export function spawnProcess(file: string, args: readonly string[], opts: RunOptions): BackgroundRun {
  const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  child.stdin.end(opts.input)
  let stdout = ''
  let stderr = ''
  let ended = false
  const waiters = new Set<() => void>()
  const wake = () => { for (const check of [...waiters]) check() }
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); wake() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); wake() })
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      ended = true
      allOutputs.push(stdout, stderr)
      wake()
      resolve({ code, stdout, stderr })
    })
  })
  const waitForOutput = (pattern: RegExp, { stream, timeoutMs = 60_000 }: { stream?: 'stdout' | 'stderr'; timeoutMs?: number } = {}) =>
    new Promise<void>((resolve, reject) => {
      const seen = () => (stream === 'stdout' ? stdout : stream === 'stderr' ? stderr : stdout + stderr)
      const finish = (error?: Error) => {
        waiters.delete(check)
        clearTimeout(limit)
        if (error) reject(error)
        else resolve()
      }
      const check = () => {
        if (pattern.test(seen())) finish()
        else if (ended) finish(new Error(`the run ended (exit ${String(child.exitCode ?? child.signalCode)}) before printing ${String(pattern)}:\n${stdout}${stderr}`))
      }
      const limit = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)}:\n${stdout}${stderr}`)), timeoutMs)
      waiters.add(check)
      check()
    })
  return { child, stdout: () => stdout, stderr: () => stderr, ended: () => ended, waitForOutput, kill: (signal) => void child.kill(signal), done }
}
