// The deploy lock and Ctrl-C against the test bed: a held lock stops setup with exit 3 and names its
// holder, --lock-wait waits it out, `lock status|release` see and clear it, and SIGINT releases.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { cliEnv, runCli, spawnCli } from './support/cli.js'

let bed: Testbed
let env: NodeJS.ProcessEnv
const conn = () => ['-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
const lockDir = (i: number) => join(bed.hosts[i]!.dataDir, 'authentik', 'authctl.lock')

async function plantLock(i: number): Promise<void> {
  await mkdir(lockDir(i), { recursive: true })
  await writeFile(join(lockDir(i), 'details.json'), JSON.stringify({ who: 'alice@bastion', pid: 4242, command: 'authctl setup', since: '2026-11-29T00:00:00Z' }) + '\n')
}

beforeAll(async () => {
  bed = await startTestbed({ hosts: 2 })
  ;({ env } = await cliEnv(bed))
})

afterAll(async () => {
  await bed?.stop()
})

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('deploy lock', { shuffle: false }, () => {
  it('a held lock stops setup before any change, exit 3, naming the holder and the way out', async () => {
    await plantLock(1)
    const r = await runCli(['setup', ...conn()], env)
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/host2\s+failed\s+host2: the deploy lock is held \(.*alice@bastion/)
    expect(r.stdout).toContain('authctl lock release -l host2')
    expect(r.stdout).toMatch(/host1\s+skipped\s+not changed: preflight failed on another host/)
    await expect(stat(join(bed.hosts[0]!.dataDir, 'authentik', 'vault'))).rejects.toThrow(/ENOENT/)
    await expect(stat(lockDir(0))).rejects.toThrow(/ENOENT/)
  })

  it('lock status shows the holder; release needs --yes, then clears it', async () => {
    const status = await runCli(['lock', 'status', ...conn()], env)
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/host1\s+free/)
    expect(status.stdout).toMatch(/host2\s+held by alice@bastion \(pid 4242/)
    const refused = await runCli(['lock', 'release', '-l', 'host2', ...conn()], env)
    expect(refused.code).toBe(5)
    expect(refused.stderr).toContain('lock release needs --yes')
    const released = await runCli(['lock', 'release', '-l', 'host2', '--yes', ...conn()], env)
    expect(released.code).toBe(0)
    expect(released.stdout).toMatch(/host2\s+released/)
    await expect(stat(lockDir(1))).rejects.toThrow(/ENOENT/)
  })

  it('--lock-wait waits for the lock to be released, then converges', async () => {
    await plantLock(0)
    const run = spawnCli(['setup', ...conn(), '--lock-wait', '60s', '--wait-timeout', '30s'], env)
    // release the lock only once the run is seen waiting for it
    await run.waitForOutput(/\[host1\] waiting for the deploy lock/, { stream: 'stderr' })
    await rm(lockDir(0), { recursive: true })
    const { code, stdout, stderr } = await run.done
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/host1\s+changed/)
  })

  it('Ctrl-C in the middle finishes the host in progress, releases every lock and exits 130', async () => {
    const run = spawnCli(['setup', ...conn(), '--new-secret-id', '--yes', '--serial', '1', '--wait-timeout', '30s'], env)
    await run.waitForOutput(/\[host1\] wrote/, { stream: 'stderr' })
    run.kill('SIGINT')
    const { code, stderr } = await run.done
    expect(code).toBe(130)
    expect(stderr).toContain('SIGINT')
    for (const i of [0, 1]) await expect(stat(lockDir(i))).rejects.toThrow(/ENOENT/)
    // the next run completes whatever was left
    const again = await runCli(['setup', ...conn(), '--wait-timeout', '30s'], env)
    expect(again.code, again.stderr).toBe(0)
  })
})
