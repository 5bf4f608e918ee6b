// The one confirmation rule (src/output/confirm.ts) on the built CLI, for every command that can cause an
// outage or invalidate credentials: without a terminal it needs --yes and refuses (exit 5, naming the flag)
// before the inventory is even read; AUTHCTL_YES and AUTHCTL_ALL_AT_ONCE have no effect; on a terminal it
// shows the plan with the inventory's hosts and asks, and a "no" changes nothing.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'
import { runOnTerminal } from './support/rotation-bed.js'

let dir: string
let env: NodeJS.ProcessEnv
// TEST-NET hosts: a run that connected would fail with exit 4, not the refusal
let inventory: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-confirm-'))
  inventory = join(dir, 'hosts.ini')
  await writeFile(inventory, '[authentik]\nweb-a ansible_host=192.0.2.10\nweb-b ansible_host=192.0.2.11\n')
  env = { PATH: process.env.PATH, HOME: dir, VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'hvs.unused', NO_COLOR: '1' }
})

const GUARDED: [string, string[], string][] = [
  ['restart --all-at-once', ['restart', '--all-at-once'], 'authctl restart --all-at-once'],
  ['setup --new-secret-id', ['setup', '--new-secret-id'], 'authctl setup --new-secret-id'],
  ['regen-secret-id', ['regen-secret-id'], 'authctl regen-secret-id'],
  ['rotate-db-password', ['rotate-db-password'], 'authctl rotate-db-password'],
  ['rotate-secret-key', ['rotate-secret-key'], 'authctl rotate-secret-key'],
  ['adopt', ['adopt'], 'authctl adopt'],
]

describe('without a terminal', () => {
  for (const [name, args, action] of GUARDED) {
    it(`${name} needs --yes, refuses before reading the inventory, and AUTHCTL_YES=1 does not stand in for it`, async () => {
      const missing = join(dir, 'absent.ini')
      for (const extra of [{}, { AUTHCTL_YES: '1' }, { AUTHCTL_YES: 'true' }]) {
        const r = await runCli([...args, '-i', missing], { ...env, ...extra })
        expect(r.code, r.stderr).toBe(5)
        expect(r.stderr).toContain(`Error: ${action} changes production state and needs --yes when there is no terminal to ask on`)
        expect(r.stderr).toContain(`Hint: Nothing was changed.`)
        expect(r.stderr).toContain(`then run: authctl ${args.join(' ')} -i ${missing} --yes`)
        expect(r.stderr).not.toContain('does not exist')
        expect(r.stderr).not.toMatch(/\n\s+at /)
      }
    })
  }

  it('with --yes the same command goes on: it reads the inventory (and fails on the missing one)', async () => {
    const r = await runCli(['regen-secret-id', '-i', join(dir, 'absent.ini'), '--yes'], env)
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('does not exist')
  })

  it('setup --check --new-secret-id changes nothing and needs no --yes; a plain restart needs none either', async () => {
    for (const args of [['setup', '--check', '--new-secret-id'], ['restart']]) {
      const r = await runCli([...args, '-i', join(dir, 'absent.ini')], { ...env, AUTHCTL_ALL_AT_ONCE: '1' })
      expect(r.code).toBe(5)
      expect(r.stderr, args.join(' ')).toContain('does not exist')
    }
  })

  it('no command offers an environment variable for --yes, --all-at-once, --new-secret-id or --revoke-all-others', async () => {
    for (const command of ['restart', 'setup', 'regen-secret-id', 'adopt', 'rotate-db-password', 'rotate-secret-key', 'vault bootstrap', 'secrets init', 'db set-host', 'lock release']) {
      const r = await runCli([...command.split(' '), '--help'], env)
      expect(r.code, command).toBe(0)
      expect(r.stdout, command).toMatch(/--yes/)
      expect(r.stdout, command).not.toMatch(/AUTHCTL_YES|AUTHCTL_ALL_AT_ONCE|AUTHCTL_NEW_SECRET_ID|AUTHCTL_REVOKE_ALL_OTHERS/)
    }
  })
})

describe('on a terminal', () => {
  for (const [name, args] of GUARDED.slice(0, 3)) {
    it(`${name} shows the plan with the selected hosts and asks; "n" changes nothing and connects to no host`, async () => {
      const r = await runOnTerminal({ env }, [...args, '-i', inventory], 'n')
      expect(r.asked, r.output).toBe(true)
      expect(r.output).toMatch(/2 host\(s\)(: | at once: )web-a, web-b/)
      expect(r.output).toContain('not confirmed: nothing was changed')
      expect(r.code).toBe(5)
    })
  }
})
