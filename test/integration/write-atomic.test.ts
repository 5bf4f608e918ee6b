// A connection cut in the middle of a write must leave the old file whole: the write script streams
// into a temp file beside the target and renames only after the full size arrived.
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { writeCommand } from '../../src/remote/write-script.js'
import { connectHost } from '../../src/transport/ssh-host.js'
import { startTestbed, type Testbed } from '../support/testbed/index.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed({ hosts: 1, vault: false })
})

afterAll(async () => {
  await bed?.stop()
})

it('a connection cut during a write leaves the old file whole and no temp file behind', async () => {
  const host = bed.hosts[0]!
  const dir = join(host.dataDir, 'authentik')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'big.bin'), 'old content\n')
  const remote = await connectHost(
    { name: host.name, host: host.address, port: host.port, user: bed.user, privateKeyFile: bed.keyFile, agentSocket: '' },
    { knownHostsPath: bed.knownHostsPath, acceptNew: false },
  )
  const payload = Buffer.alloc(64 * 1024 * 1024, 0x61)
  const { argv, stdin } = writeCommand([], [{ path: '/data/authentik/big.bin', mode: 0o644, uid: 0, gid: 0, content: payload }])
  const running = remote.exec(argv, { stdin }).then(() => 'finished', (error: unknown) => error)
  // cut the connection once the remote side has started receiving
  await new Promise((r) => setTimeout(r, 400))
  await remote.close()
  expect(await running).toBeInstanceOf(Error)
  // give the remote shell a moment to see EOF and clean up
  for (let i = 0; i < 50 && (await readdir(dir)).some((f) => f.startsWith('.authctl-tmp')); i++) await new Promise((r) => setTimeout(r, 100))
  expect(await readFile(join(dir, 'big.bin'), 'utf8')).toBe('old content\n')
  expect((await readdir(dir)).filter((f) => f.startsWith('.authctl-tmp'))).toEqual([])
})
