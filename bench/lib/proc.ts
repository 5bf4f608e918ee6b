// Runs one benchmarked child process: wall time from the bench's clock, peak RSS and CPU from
// GNU time (/usr/bin/time), always bounded by a timeout that kills the child's whole process group.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// What one run of a command measured.
export interface Measured {
  wallMs: number
  code: number | null
  /** peak RSS of the measured process (GNU time's %M, KiB); undefined without /usr/bin/time */
  maxRssKb?: number
  userS?: number
  sysS?: number
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface RunOptions {
  env: NodeJS.ProcessEnv
  timeoutMs: number
  cwd?: string
  /** aborting kills the child's process group at once */
  signal?: AbortSignal
}

const GNU_TIME = '/usr/bin/time'

// Whether peak RSS can be measured (Debian package `time`).
export const hasGnuTime = (): boolean => existsSync(GNU_TIME)

// Runs file with args; never rejects on a non-zero exit, only when the process cannot start.
export async function measure(file: string, args: readonly string[], opts: RunOptions): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-bench-time-'))
  const timeFile = join(dir, 'time.txt')
  const wrapped = hasGnuTime() ? [GNU_TIME, ['-o', timeFile, '-f', '%M %U %S', file, ...args]] as const : [file, args] as const
  try {
    const started = performance.now()
    const result = await spawnBounded(wrapped[0], wrapped[1], opts)
    const wallMs = performance.now() - started
    const stats = hasGnuTime() ? parseTime(await readFile(timeFile, 'utf8').catch(() => '')) : {}
    return { ...result, ...stats, wallMs }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// GNU time writes "Command exited with non-zero status N" first when the command failed.
function parseTime(text: string): Pick<Measured, 'maxRssKb' | 'userS' | 'sysS'> {
  const last = text.trim().split('\n').at(-1) ?? ''
  const [rss, user, sys] = last.split(' ').map(Number)
  if (rss === undefined || Number.isNaN(rss)) return {}
  return { maxRssKb: rss, userS: user, sysS: sys }
}

function spawnBounded(file: string, args: readonly string[], opts: RunOptions): Promise<Omit<Measured, 'wallMs'>> {
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout also ends ansible's workers (not its ControlPersist masters,
    // which detach into their own session and exit after 60 s idle as Ansible ships them)
    const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const killGroup = (): void => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone: the close event follows
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, opts.timeoutMs)
    opts.signal?.addEventListener('abort', killGroup, { once: true })
    const done = (): void => {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', killGroup)
    }
    child.on('error', (error) => {
      done()
      reject(error)
    })
    child.on('close', (code) => {
      done()
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut })
    })
  })
}
