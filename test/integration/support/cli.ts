// Runs the built CLI as a user would (node bin/run.js …) and keeps every output for later searches.
import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, type Testbed } from '../../support/testbed/index.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

// What an operator's shell gives authctl against a bed: a HOME of its own (a fresh temp folder, where the
// bastion audit log lands) and the bed's Vault.
export async function cliEnv(bed: Pick<Testbed, 'vault'>): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = await mkdtemp(join(tmpdir(), 'authctl-home-'))
  return { home, env: { PATH: process.env.PATH, HOME: home, VAULT_ADDR: bed.vault?.addr, VAULT_TOKEN: bed.vault?.operatorToken, NO_COLOR: '1' } }
}

// Every output of every run in this process, for the sentinel search.
export const allOutputs: string[] = []

// `input`, when given, is written to the CLI's stdin (for `--from-file -`); otherwise stdin is closed.
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, input?: string): Promise<CliRun> {
  return runProcess(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { env, timeoutMs, input })
}

// Any program, its outputs kept like runCli's (for the installed CLI and the shells around it).
export function runProcess(file: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end(opts.input)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      allOutputs.push(stdout, stderr)
      resolve({ code, stdout, stderr })
    })
  })
}
