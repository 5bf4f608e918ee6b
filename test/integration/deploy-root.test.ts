// One validator for the deploy root in every command: `lock status`, `lock release` and `setup` all
// refuse a system directory with exit 5 and the inventory's file:line, before reaching any host.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli } from './support/cli.js'

let dir = ''
let env: NodeJS.ProcessEnv = {}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-deploy-root-'))
  env = { PATH: process.env.PATH, HOME: dir, VAULT_ADDR: 'http://127.0.0.1:1', CI: '1' }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

it.each([
  ['/tmp', 'is inside /tmp, which belongs to the system'],
  ['/var/lib/docker', 'is inside /var/lib/docker, which belongs to the system'],
  ['/root', 'is a system directory or holds one (/root)'],
  ['/data/$STACK', 'must not contain $'],
])('authentik_root=%s is refused by lock status, lock release and setup alike', async (root, problem) => {
  const inventory = join(dir, 'hosts.ini')
  // port 1: a command that tried to connect would fail with exit 4, not 5
  await writeFile(inventory, `[authentik]\nh1 ansible_host=127.0.0.1 ansible_port=1 authentik_root=${root}\n`)
  for (const args of [['lock', 'status'], ['lock', 'release', '--yes'], ['setup', '--check']]) {
    const r = await runCli([...args, '-i', inventory], env)
    expect([args.join(' '), r.code]).toEqual([args.join(' '), 5])
    expect(r.stderr).toContain(`authentik_root ${problem}`)
    expect(r.stderr).toContain(`set in ${inventory}:2`)
  }
})
