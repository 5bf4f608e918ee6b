// The write script over SSH on a real host: a connection cut in the middle of a write leaves the old
// file whole (temp file, rename after the full size arrived), and hostile ground planted on the host
// (a folder where a file belongs, a shared sticky folder as root, another uid's folders) is refused.
import { execFileSync } from 'node:child_process'
import { chmod, chown, lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DirSpec, type FileSpec, writeArgv } from '../../src/remote/write-script.js'
import { connectHost } from '../../src/transport/ssh-host.js'
import type { SshConnection } from '../../src/transport/ssh-types.js'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { waitFor } from '../support/wait-for.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ hosts: 1, vault: false })
})

function connect(): Promise<SshConnection> {
  const host = bed.hosts[0]!
  return connectHost(
    { name: host.name, host: host.address, port: host.port, user: bed.user, privateKeyFile: bed.keyFile, agentSocket: '' },
    { knownHostsPath: bed.knownHostsPath, acceptNew: false },
  )
}

// Runs one write over SSH as authctl does (sudo on the host) and closes the connection.
async function write(dirs: DirSpec[], files: FileSpec[]) {
  const remote = await connect()
  try {
    const { argv, stdin } = writeArgv(dirs, files)
    return await remote.exec(argv, { stdin })
  } finally {
    await remote.close()
  }
}

// A folder on the host's /data (seen here under dataDir) with an owner and mode.
async function plant(path: string, mode: number, uid = 0, gid = 0): Promise<string> {
  const local = join(bed.hosts[0]!.dataDir, path.replace(/^\/data\//, ''))
  await mkdir(local, { recursive: true })
  await chown(local, uid, gid)
  await chmod(local, mode)
  return local
}

const body = (path: string, mode = 0o644, uid = 0, gid = 0): FileSpec => ({ path, mode, uid, gid, content: Buffer.from('new\n') })

afterAll(async () => {
  await bed?.stop()
})

it('a connection cut during a write leaves the old file whole and no temp file behind', async () => {
  const host = bed.hosts[0]!
  const dir = join(host.dataDir, 'authentik')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'big.bin'), 'old content\n')
  const remote = await connect()
  const payload = Buffer.alloc(64 * 1024 * 1024, 0x61)
  const { argv, stdin } = writeArgv([], [{ path: '/data/authentik/big.bin', mode: 0o644, uid: 0, gid: 0, content: payload }])
  const running = remote.exec(argv, { stdin }).then(() => 'finished', (error: unknown) => error)
  // cut the connection as soon as the remote side has started receiving (its temp file exists): a fixed
  // delay let a fast loopback finish all 64 MiB first
  await waitFor(async () => (await readdir(dir)).some((f) => f.startsWith('.authctl-tmp')), 'the remote side to start writing its temporary file', 5_000, 10)
  await remote.close()
  expect(await running).toBeInstanceOf(Error)
  // give the remote shell a moment to see EOF and clean up
  await waitFor(async () => !(await readdir(dir)).some((f) => f.startsWith('.authctl-tmp')), 'the temporary file to be removed', 5_000, 100)
  expect(await readFile(join(dir, 'big.bin'), 'utf8')).toBe('old content\n')
  expect((await readdir(dir)).filter((f) => f.startsWith('.authctl-tmp'))).toEqual([])
})

it('a directory planted where a file belongs is refused, not written into', async () => {
  const planted = await plant('/data/planted/docker-compose.yml', 0o755)
  await writeFile(join(planted, 'keep'), 'x')
  const r = await write([], [body('/data/planted/docker-compose.yml')])
  expect(r.code).toBe(1)
  expect(r.stderr).toContain('authctl: /data/planted/docker-compose.yml is a folder where a file belongs; remove it')
  expect(await readdir(planted)).toEqual(['keep'])
  expect(await readdir(join(planted, '..'))).toEqual(['docker-compose.yml'])
})

it('a copy of /tmp as the deploy root keeps its sticky bit: authctl will not take it over', async () => {
  const shared = await plant('/data/shared', 0o1777)
  const r = await write([{ path: '/data/shared', mode: 0o755, uid: 0, gid: 0 }, { path: '/data/shared/vault', mode: 0o750, uid: 0, gid: 0 }], [])
  expect(r.code).toBe(1)
  expect(r.stderr).toContain('authctl: /data/shared is writable by other users; authctl will not take over a shared folder')
  expect((await stat(shared)).mode & 0o7777).toBe(0o1777)
  expect(await readdir(shared)).toEqual([])
})

it('folders the login user owns are refused as a place for root to write or chown', async () => {
  const uid = Number(execFileSync('id', ['-u', bed.user], { encoding: 'utf8' }).trim())
  const theirs = await plant('/data/theirs', 0o755, uid, uid)
  await plant('/data/theirs/sub', 0o755, uid, uid)
  const file = await write([], [body('/data/theirs/sub/config.hcl', 0o400, 100, 1000)])
  expect(file.code).toBe(1)
  expect(file.stderr).toContain("authctl: neither /data/theirs/sub nor the folder above it is root's alone; refusing to write /data/theirs/sub/config.hcl")
  const dir = await write([{ path: '/data/theirs/sub/vault', mode: 0o750, uid: 0, gid: 0 }], [])
  expect(dir.code).toBe(1)
  expect(dir.stderr).toContain('authctl: /data/theirs/sub can be changed by a user other than root')
  expect(await readdir(join(theirs, 'sub'))).toEqual([])
})

it("a file in the agent's folder (root's folder above) lands with the agent's owner and mode, no temp file left", async () => {
  const root = await plant('/data/stack', 0o755)
  const r = await write(
    [{ path: '/data/stack/vault', mode: 0o750, uid: 0, gid: 0 }, { path: '/data/stack/vault/config', mode: 0o700, uid: 100, gid: 1000 }],
    [body('/data/stack/vault/config/secret-id', 0o400, 100, 1000)],
  )
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const s = await lstat(join(root, 'vault/config/secret-id'))
  expect([s.isFile(), s.mode & 0o7777, s.uid, s.gid]).toEqual([true, 0o400, 100, 1000])
  expect(await readFile(join(root, 'vault/config/secret-id'), 'utf8')).toBe('new\n')
  expect((await readdir(join(root, 'vault'))).sort()).toEqual(['config'])
})
