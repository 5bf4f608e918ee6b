// `npm run testbed -- up/status/down`: the bed outlives the CLI that started it, and `down` stops
// exactly the PIDs it recorded.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../support/testbed/index.js'
import { isAlive } from '../support/testbed/processes.js'
import { accepts } from '../support/testbed/sshd-process.js'
import { readState } from '../support/testbed/state.js'

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/testbed-cli.ts'), ...args],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
      })
  })
}

describe('testbed CLI', () => {
  let dir = ''

  afterAll(async () => {
    await cli(['down', '--dir', dir])
    await rm(dir, { recursive: true, force: true })
  })

  it('starts a detached bed, reports it, and stops it by PID', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-testbed-cli-'))
    const up = await cli(['up', '2', '--no-vault', '--dir', dir])
    expect(up.code, up.stderr).toBe(0)
    expect(up.stdout).toContain(`inventory: ${join(dir, 'inventory.ini')}\n`)
    expect(up.stdout).toContain(`known_hosts: ${join(dir, 'known_hosts')}\n`)
    const state = await readState(dir)
    const pids = state?.hosts.map((host) => host.sshdPid) ?? []
    expect(pids).toHaveLength(2)
    // The CLI has exited; its hosts still run and answer.
    expect(pids.every(isAlive)).toBe(true)
    expect(await accepts(state?.hosts[0]?.address ?? '', 22)).toBe(true)

    const again = await cli(['up', '1', '--no-vault', '--dir', dir])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already running/)

    const status = await cli(['status', '--dir', dir])
    expect(status).toMatchObject({ code: 0 })
    expect(status.stdout.match(/ running$/gm)).toHaveLength(2)

    const down = await cli(['down', '--dir', dir])
    expect(down).toMatchObject({ code: 0 })
    expect(pids.filter(isAlive)).toEqual([])
    expect(await readState(dir)).toBeUndefined()
    expect(await cli(['status', '--dir', dir])).toMatchObject({ code: 1 })
  })
})
