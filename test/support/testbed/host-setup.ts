// Lays out one host's directory: host keys, sshd config, wrapper, authorized_keys, command log, /data.
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { sshdConfig, wrapperScript } from './host-files.js'
import { generateKey, keyBody } from './keys.js'
import type { LoginUser } from './login-user.js'
import type { HostState } from './state.js'

export interface HostPlan {
  dir: string
  name: string
  address: string
  clientPublicKey: string
  user: LoginUser
  path: string
}

export interface PreparedHost {
  state: Omit<HostState, 'sshdPid'>
  hostKey: string
  logPath: string
}

// Writes everything sshd needs for one host and returns its state (minus the PID) and ed25519 key.
export async function prepareHost(plan: HostPlan): Promise<PreparedHost> {
  const hostDir = join(plan.dir, 'hosts', plan.name)
  const dataDir = join(hostDir, 'data')
  await mkdir(dataDir, { recursive: true, mode: 0o755 })
  // Hosts share nothing: each gets its own home for the login user, as separate machines would.
  const homeDir = join(hostDir, 'home')
  await mkdir(homeDir, { mode: 0o750 })
  await chown(homeDir, plan.user.uid, plan.user.gid)
  await chmod(hostDir, 0o755)
  const [ed25519] = await Promise.all([
    generateKey(join(hostDir, 'ssh_host_ed25519_key'), 'ed25519', `${plan.name}-host`),
    generateKey(join(hostDir, 'ssh_host_rsa_key'), 'rsa', `${plan.name}-host`),
  ])
  const authorizedKeys = join(hostDir, 'authorized_keys')
  await writeFile(authorizedKeys, `${plan.clientPublicKey}\n`, { mode: 0o644 })
  const commandLog = join(hostDir, 'commands.log')
  await writeFile(commandLog, '', { mode: 0o644 })
  // The wrapper runs as the login user, so the log must be the user's to append to.
  await chown(commandLog, plan.user.uid, plan.user.gid)
  const files = {
    address: plan.address,
    port: 22,
    hostKeys: [join(hostDir, 'ssh_host_ed25519_key'), join(hostDir, 'ssh_host_rsa_key')],
    pidFile: join(hostDir, 'sshd.pid'),
    authorizedKeys,
    wrapper: join(hostDir, 'wrapper.sh'),
    commandLog,
    user: plan.user.name,
    strictModes: await isSafePath(authorizedKeys, plan.user.uid),
    path: plan.path,
  }
  await writeFile(files.wrapper, wrapperScript(files), { mode: 0o755 })
  const configPath = join(hostDir, 'sshd_config')
  await writeFile(configPath, sshdConfig(files), { mode: 0o644 })
  return {
    state: { name: plan.name, address: plan.address, port: 22, configPath, dataDir, homeDir, userHome: plan.user.home, commandLog },
    hostKey: keyBody(ed25519),
    logPath: join(hostDir, 'sshd.log'),
  }
}

// sshd's StrictModes test: every dir above the file owned by root or the user, not group/world
// writable. A bed under /tmp fails it, so there (only) StrictModes is turned off.
async function isSafePath(file: string, uid: number): Promise<boolean> {
  let dir = dirname(file)
  for (let depth = 0; depth < 64; depth++) {
    const info = await stat(dir)
    if ((info.uid !== 0 && info.uid !== uid) || (info.mode & 0o022) !== 0) return false
    if (dir === '/') return true
    dir = dirname(dir)
  }
  return false
}
