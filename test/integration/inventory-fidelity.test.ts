// Issue 19's classes of real operators' inventories, each checked against the installed ansible-core
// (ansible-inventory, ansible --list-hosts) and the built `authctl inventory`. Assumes `npm run build` ran.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runAnsible } from './support/ansible.js'
import { runCli } from './support/cli.js'

const root = mkdtempSync(join(tmpdir(), 'authctl-fidelity-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const CLI_ENV = { PATH: process.env.PATH, HOME: root, NO_COLOR: '1' }

// Writes files (relative path → content) into a fresh folder and returns it.
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'inv-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return dir
}

// ansible-inventory and `authctl inventory` with the same arguments, both expected to succeed.
async function bothInventories(args: string[]): Promise<{ ansible: string; authctl: string }> {
  const [ansible, authctl] = await Promise.all([runAnsible('ansible-inventory', args), runCli(['inventory', ...args], CLI_ENV)])
  expect(ansible.code, ansible.stderr).toBe(0)
  expect(authctl.code, authctl.stderr).toBe(0)
  return { ansible: ansible.stdout, authctl: authctl.stdout }
}

describe('inventory fidelity, round two (issue 19)', () => {
  it('1: a dict-valued variable set twice is replaced whole, as hash_behaviour=replace does', async () => {
    const yml = tree({
      // h1 in a and b (both set labels), h1 listed twice with a dict, group web2 defined twice (the last wins)
      'hosts.yml': 'all:\n  children:\n    a:\n      hosts:\n        h1:\n      vars:\n        labels: {x: 1, y: 2}\n    b:\n      hosts:\n        h1:\n          hl: {p: 1}\n      vars:\n        labels: {z: 3}\n    web:\n      hosts:\n        h1:\n          hl: {q: 2}\n    web2:\n      vars:\n        same: {a: 1}\n      hosts:\n        h2:\n    web2:\n      vars:\n        same: {b: 2}\n',
      'group_vars/web/01.yml': 'same: {c: 3}\nd1: {k: 1}\n',
      'group_vars/web/02.yml': 'd1: {m: 2}\n',
    })
    // a directory inventory whose two files both set [web:vars] docker_labels; the same host twice in one file
    const dir = tree({ 'inv/a': "[web]\nw1 d=\"{'a': 1}\"\nw1 d=\"{'b': 2}\"\n[web:vars]\ndocker_labels={'x': 1, 'y': 2}\n", 'inv/b': "[web]\nw2\n[web:vars]\ndocker_labels={'z': 3}\n" })
    for (const source of [join(yml, 'hosts.yml'), join(dir, 'inv')]) {
      for (const extra of [[], ['--export']]) {
        const { ansible, authctl } = await bothInventories(['-i', source, '--list', ...extra])
        expect(JSON.parse(authctl), `${source} ${extra.join(' ')}`).toStrictEqual(JSON.parse(ansible))
      }
    }
    const { authctl } = await bothInventories(['-i', join(dir, 'inv'), '--host', 'w1'])
    expect(JSON.parse(authctl)).toStrictEqual({ d: { b: 2 }, docker_labels: { z: 3 } })
  }, 60_000)

  it('3: --export keeps ansible_group_priority in the group vars', async () => {
    const dir = tree({
      'hosts.ini': '[a]\nh1\n[b]\nh1\n[c]\nh2\n[d]\nh2\n[a:vars]\nansible_group_priority=10\nx=a\n[b:vars]\nx=b\nansible_group_priority="7"\n[d:vars]\nansible_group_priority=1\n',
      'group_vars/c.yml': 'ansible_group_priority: 3\ny: 1\n',
    })
    const { ansible, authctl } = await bothInventories(['-i', join(dir, 'hosts.ini'), '--list', '--export'])
    expect(authctl).toBe(ansible)
    expect(JSON.parse(authctl)).toMatchObject({ a: { vars: { ansible_group_priority: 10 } }, b: { vars: { ansible_group_priority: 7 } } })
  }, 60_000)

  it('8: an undefined YAML alias, in the inventory or in a vars file, is exit 5 naming the file and the line Ansible names', async () => {
    const dir = tree({
      'inv.yml': 'all:\n  hosts:\n    h1:\n      x: 1\n      <<: *nope\n',
      'hosts.ini': 'h1\n',
      'group_vars/all.yml': 'a: 1\nb:\n  <<: *missing\n',
    })
    for (const [entry, file, name] of [['inv.yml', 'inv.yml', 'nope'], ['hosts.ini', 'group_vars/all.yml', 'missing']] as const) {
      const [ansible, authctl] = await Promise.all([runAnsible('ansible-inventory', ['-i', join(dir, entry), '--list']), runCli(['inventory', '-i', join(dir, entry), '--list'], CLI_ENV)])
      const line = /found undefined alias[\s\S]*?line (\d+), column/.exec(ansible.stderr)?.[1]
      expect(ansible.code, ansible.stderr).not.toBe(0)
      expect(line, ansible.stderr).toBeDefined()
      expect(authctl.code).toBe(5)
      expect(authctl.stdout).toBe('')
      expect(authctl.stderr.split('\n')[0]).toBe(`Error: ${join(dir, file)}:${line}: found undefined alias "${name}"`)
      expect(authctl.stderr).not.toContain('bug in authctl')
    }
  }, 60_000)
})
