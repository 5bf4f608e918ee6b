// Runs the Vault test server as a child process (test/support/vault-server/main.ts) and reads the
// ready file it writes, which carries the tokens (so they never appear in any argv).
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { waitUntil } from '../wait-for.js'

export interface VaultReady {
  addr: string
  rootToken: string
  operatorToken: string
  roleId?: string
  pid: number
}

export interface VaultLaunch {
  repoRoot: string
  readyFile: string
  logPath: string
  detached: boolean
}

// Starts the server and resolves once its ready file is complete; rejects if it exits first.
export async function launchVault(launch: VaultLaunch, timeoutMs = 30_000): Promise<VaultReady> {
  const log = openSync(launch.logPath, 'a')
  let exited: string | undefined
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(launch.repoRoot, 'test/support/vault-server/main.ts'),
      '--host', '127.0.0.1', '--port', '0', '--seed', '--ready-file', launch.readyFile],
    { cwd: launch.repoRoot, detached: launch.detached, stdio: ['ignore', log, log] },
  )
  closeSync(log)
  child.on('exit', (code, signal) => {
    exited = `exit ${String(code ?? signal)}`
  })
  child.unref()
  let ready: VaultReady | undefined
  await waitUntil(async () => exited !== undefined || (ready = await readReady(launch.readyFile)) !== undefined, timeoutMs, 50)
  if (ready) return { ...ready, pid: child.pid ?? ready.pid }
  if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
  const tail = (await readFile(launch.logPath, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n')
  throw new Error(`the Vault test server did not become ready (${exited ?? 'timeout'}):\n${tail}`)
}

// The ready file once fully written, or undefined while it is missing or partial.
async function readReady(path: string): Promise<VaultReady | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined)
  if (!text) return undefined
  try {
    const value = JSON.parse(text) as Partial<VaultReady>
    if (typeof value.addr !== 'string' || typeof value.rootToken !== 'string' || typeof value.operatorToken !== 'string') return undefined
    const roleId = typeof value.roleId === 'string' ? value.roleId : undefined
    return { addr: value.addr, rootToken: value.rootToken, operatorToken: value.operatorToken, roleId, pid: Number(value.pid) }
  } catch {
    return undefined
  }
}
