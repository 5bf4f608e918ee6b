// The hosts' login user, set up like an EC2 default user: not root, not in the docker group,
// passwordless sudo, key-only login. sudo's secure_path puts the docker stand-in first.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLock } from './lock.js'
import { run } from './run.js'

// The login user on every test bed host.
export const LOGIN_USER = 'authctl-test'

// Where the sudo rule lives; the name has no dot, or sudo would ignore it.
export const SUDOERS_FILE = '/etc/sudoers.d/authctl-testbed'

// The PATH remote commands and sudo see: the docker stand-in first, then the usual system dirs.
export function remotePath(stubDir: string): string {
  return `${stubDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`
}

export interface LoginUser {
  name: string
  uid: number
  gid: number
  home: string
}

// Creates or repairs the login user, its sudo rule, and the dirs sshd needs; safe to call concurrently.
export async function ensureLoginUser(stubDir: string): Promise<LoginUser> {
  return withLock(join(tmpdir(), 'authctl-testbed-user.lock'), async () => {
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
    await mkdir('/data', { recursive: true, mode: 0o755 })
    const exists = await run('id', ['-u', LOGIN_USER]).then(() => true, () => false)
    if (!exists) await run('useradd', ['--create-home', '--user-group', '--shell', '/bin/bash', LOGIN_USER])
    // A '!' (locked) password makes sshd refuse even key logins when UsePAM is off; '*' only disables passwords.
    const shadow = await readFile('/etc/shadow', 'utf8')
    const entry = shadow.split('\n').find((line) => line.startsWith(`${LOGIN_USER}:`))
    if (entry?.split(':')[1] !== '*') await run('usermod', ['-p', '*', LOGIN_USER])
    const groups = (await run('id', ['-nG', LOGIN_USER])).stdout.trim().split(/\s+/)
    if (groups.includes('docker')) await run('gpasswd', ['-d', LOGIN_USER, 'docker'])
    await ensureSudoers(stubDir)
    const uid = Number((await run('id', ['-u', LOGIN_USER])).stdout.trim())
    const gid = Number((await run('id', ['-g', LOGIN_USER])).stdout.trim())
    const home = (await run('getent', ['passwd', LOGIN_USER])).stdout.split(':')[5] ?? ''
    if (!home.startsWith('/home/')) throw new Error(`unexpected home directory for ${LOGIN_USER}: ${home}`)
    await mkdir(home, { recursive: true, mode: 0o750 })
    return { name: LOGIN_USER, uid, gid, home }
  })
}

// Writes the sudo rule only when it changed, validating it with visudo before it takes effect.
async function ensureSudoers(stubDir: string): Promise<void> {
  const content = [
    '# Written by the authctl test bed (test/support/testbed): passwordless sudo as on EC2,',
    '# with the docker stand-in first in the PATH sudo gives commands.',
    `Defaults:${LOGIN_USER} secure_path="${remotePath(stubDir)}"`,
    `${LOGIN_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
    '',
  ].join('\n')
  const current = await readFile(SUDOERS_FILE, 'utf8').catch(() => '')
  if (current === content) return
  // sudo skips files whose name contains a dot, so the candidate is inert until renamed.
  const candidate = `${SUDOERS_FILE}.new`
  await writeFile(candidate, content, { mode: 0o440 })
  try {
    await run('visudo', ['-c', '-q', '-f', candidate])
    await rename(candidate, SUDOERS_FILE)
  } finally {
    await rm(candidate, { force: true })
  }
}
