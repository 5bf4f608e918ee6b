// Starts one host's sshd inside its own mount namespace, with the host's data dir bound on /data,
// and waits until it accepts TCP connections.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { waitUntil } from '../wait-for.js'

export interface SshdLaunch {
  address: string
  port: number
  configPath: string
  dataDir: string
  homeDir: string
  userHome: string
  logPath: string
  detached: boolean
}

// The mount namespace script: bind this host's /data and login home privately, then become sshd (same PID).
const NAMESPACE_SCRIPT = 'mount --bind "$1" /data && mount --bind "$3" "$4" && exec /usr/sbin/sshd -D -e -f "$2"'

// Spawns sshd and resolves with its PID once the port answers; rejects with sshd's log otherwise.
export async function launchSshd(launch: SshdLaunch, timeoutMs = 10_000): Promise<number> {
  const log = openSync(launch.logPath, 'a')
  let exitCode: number | null | undefined
  const child = spawn(
    '/usr/bin/unshare',
    ['--mount', '--propagation', 'private', '/bin/sh', '-c', NAMESPACE_SCRIPT, 'testbed-host',
      launch.dataDir, launch.configPath, launch.homeDir, launch.userHome],
    { detached: launch.detached, stdio: ['ignore', log, log] },
  )
  closeSync(log)
  child.on('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : null)
  })
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not spawn sshd for ${launch.address}`)
  let up = false
  await waitUntil(async () => exitCode !== undefined || (up = await accepts(launch.address, launch.port)), timeoutMs, 30)
  if (up) return pid
  if (exitCode === undefined) process.kill(pid, 'SIGKILL')
  const tail = readFileSync(launch.logPath, 'utf8').split('\n').slice(-15).join('\n')
  throw new Error(`sshd on ${launch.address}:${launch.port} did not start (exit ${String(exitCode)}):\n${tail}`)
}

// True when something accepts a TCP connection at address:port within a short timeout.
export function accepts(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
