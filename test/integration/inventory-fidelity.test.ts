// Issue 19's classes of real operators' inventories, each checked against the installed ansible-core
// (ansible-inventory, ansible --list-hosts) and the built `authctl inventory`. Assumes `npm run build` ran.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.js'
import { loadInventory } from '../../src/inventory/load-inventory.js'
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

  // What `ansible all --list-hosts -l PATTERN` selects (host_pattern_mismatch=error), or its refusal.
  async function ansibleSelects(inventory: string, pattern: string): Promise<string[] | 'error'> {
    const run = await runAnsible('ansible', ['all', '-i', inventory, '--list-hosts', '-l', pattern], { ANSIBLE_HOST_PATTERN_MISMATCH: 'error' })
    if (run.code !== 0) return run.stderr.includes('leaves us with no hosts to target') ? [] : 'error'
    return run.stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean)
  }

  // authctl's selection for the same pattern, or 'error' for a ConfigError (whose message is checked by `refusal`).
  async function authctlSelects(inventory: string, pattern: string, refusal?: string): Promise<string[] | 'error'> {
    const inv = await loadInventory(inventory, { env: {} })
    try {
      return inv.matchHosts(pattern)
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      if (refusal) expect((error as Error).message).toContain(refusal)
      return 'error'
    }
  }

  it('4: a --limit term naming a defined group without hosts matches; only a term naming nothing is an error', async () => {
    const dir = tree({ 'hosts.ini': '[web]\nw1\nw2\n[maintenance]\n[db]\nd1\n[empty_parent:children]\nmaintenance\n' })
    const inventory = join(dir, 'hosts.ini')
    const patterns = ['web:maintenance', 'web,maintenance,db', 'web:!maintenance', 'web:empty_parent', 'web:maint*', 'web:~maint.*', 'web:maintenance[0]', 'web:ungrouped', 'maintenance', 'web:&maintenance', 'web:nosuch', 'web,nosuch*']
    const ansible = await Promise.all(patterns.map((p) => ansibleSelects(inventory, p)))
    for (const [i, pattern] of patterns.entries()) expect([pattern, await authctlSelects(inventory, pattern, `'${pattern.split(/[,:]/).at(-1) ?? ''}'`)]).toEqual([pattern, ansible[i]])
    expect(ansible.filter((a) => a === 'error')).toHaveLength(2)
    const cli = await runCli(['inventory', '-i', inventory, '--list', '-l', 'web:maintenance'], CLI_ENV)
    expect(cli.code, cli.stderr).toBe(0)
    expect((JSON.parse(cli.stdout) as { web: { hosts: string[] } }).web.hosts).toEqual(['w1', 'w2'])
  }, 60_000)

  it("5: ~regex in Python's syntax: inline flags, named groups, comments, \\A/\\Z translated; the rest refused naming the part", async () => {
    const dir = tree({ 'hosts.ini': '[front]\nweb01.example.com\nweb02.example.com\nweb03.example.com\nWEB04.example.com\n[data]\ndb-aa\ndb-ab\n' })
    const inventory = join(dir, 'hosts.ini')
    const same = ['~(?i)^WEB0[12]\\.', '~(?i)(?s)web0[34]', '~(?P<n>db)-a', '~db-(?P<x>a)(?P=x)', '~web(?#note)0[13]', '~\\Aweb0', '~.*com\\Z', '~(?a)db', '~(?x) w e b 0 [2] # c ,db-aa', '~web(?i)', '~(?L)web', '~(?<n>db)']
    const ansible = await Promise.all(same.map((p) => ansibleSelects(inventory, p)))
    for (const [i, pattern] of same.entries()) expect([pattern, await authctlSelects(inventory, pattern, 'Invalid host list pattern')]).toEqual([pattern, ansible[i]])
    expect(ansible.slice(0, 9).every((a) => Array.isArray(a) && a.length > 0)).toBe(true)
    // valid Python that JavaScript cannot express: Ansible selects, authctl refuses naming the part
    const refused: Array<[string, string]> = [['~(?>web)0,db-aa', 'the atomic group (?>...)'], ['~(?i:WEB)0,db-aa', 'the scoped flags (?i:...)'], ['~web0*+,db-aa', 'the possessive quantifier *+']]
    for (const [pattern, part] of refused) {
      expect(await ansibleSelects(inventory, pattern)).not.toBe('error')
      expect(await authctlSelects(inventory, pattern, `uses ${part}`)).toBe('error')
    }
  }, 90_000)

  it("6: a .yml file holding INI is read by the ini plugin after the yaml plugin fails; when both fail, each plugin's reason", async () => {
    const dir = tree({
      'hosts.yml': '[web]\nw1 x=1\nw2\n[web:vars]\ny=2\n',
      'empty.yml': '',
      'one-host.yaml': 'web01\n',
      'inv/a.yml': '[db]\nd1 port=5432\n',
      'inv/b.yml': 'all:\n  hosts:\n    d2:\n',
      'bad.yml': '[web]\nw1 x=1 ; c\n',
    })
    for (const source of ['hosts.yml', 'empty.yml', 'one-host.yaml', 'inv']) {
      const { ansible, authctl } = await bothInventories(['-i', join(dir, source), '--list'])
      expect(JSON.parse(authctl), source).toStrictEqual(JSON.parse(ansible))
    }
    const bad = join(dir, 'bad.yml')
    const [ansible, authctl] = await Promise.all([runAnsible('ansible-inventory', ['-i', bad, '--list']), runCli(['inventory', '-i', bad, '--list'], CLI_ENV)])
    const flat = ansible.stderr.replace(/\s+/g, ' ')
    expect(ansible.code).not.toBe(0)
    expect(flat).toContain(`Failed to parse ${bad} with yaml plugin`)
    expect(flat).toContain(`Failed to parse ${bad} with ini plugin: ${bad}:2: Expected key=value host variable assignment, got: ;`)
    expect(authctl.code).toBe(5)
    const lines = authctl.stderr.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^Error: ${bad}:2: `))
    expect(lines[1]).toBe(`Ansible's ini plugin cannot read it either: ${bad}:2: Expected key=value host variable assignment, got: ;`)
  }, 60_000)

  it('2: integers beyond 2^53 stay exact in --list, --export, --host (INI, YAML, JSON, vars files) and --json', async () => {
    const dir = tree({
      'hosts.ini': '[web]\nw1 big=912345678901234567 neg=-912345678901234567 hex=0xFFFFFFFFFFFFFFFFFF small=42 l="[912345678901234567, 1]"\nw2\n[web:vars]\nvbig=9007199254740993\nansible_group_priority=912345678901234567\n',
      'group_vars/web.yml': 'gbig: 123456789012345678901234567890\nnested: {a: [18446744073709551616]}\nocto: 0777777777777777777777\nsafe: 9007199254740991\n',
      'host_vars/w2.yml': 'hb: -99999999999999999999\n',
      'y/hosts.yml': 'all:\n  hosts:\n    y1:\n      n: 912345678901234567\n      h: 0x1ffffffffffffffff\n  vars:\n    j: 12345678901234567890\n',
      'j/hosts.json': '{"all": {"hosts": {"j1": {"n": 912345678901234567}}}}\n',
    })
    const runs: string[][] = [['-i', join(dir, 'hosts.ini'), '--list'], ['-i', join(dir, 'hosts.ini'), '--list', '--export'], ['-i', join(dir, 'hosts.ini'), '--host', 'w1'], ['-i', join(dir, 'hosts.ini'), '--host', 'w2'], ['-i', join(dir, 'y/hosts.yml'), '--list'], ['-i', join(dir, 'j/hosts.json'), '--host', 'j1']]
    for (const args of runs) {
      const { ansible, authctl } = await bothInventories(args)
      // text, not parsed values: JSON.parse would round both sides alike
      expect(authctl, args.join(' ')).toBe(ansible)
    }
    const { ansible } = await bothInventories(runs[0] as string[])
    for (const digits of ['912345678901234567', '-912345678901234567', '4722366482869645213695', '123456789012345678901234567890', '18446744073709551616', '-99999999999999999999', '9007199254740993']) expect(ansible).toContain(digits)
    const json = await runCli(['inventory', '-i', join(dir, 'hosts.ini'), '--host', 'w1', '--json'], CLI_ENV)
    expect(json.code, json.stderr).toBe(0)
    expect(json.stdout).toContain('"big": 912345678901234567,')
    expect(json.stdout).toContain('"hex": 4722366482869645213695,')
  }, 90_000)

  describe('7: typed variables are validated by the commands that use them, for the selected hosts only', () => {
    it('authctl inventory lists what ansible-inventory lists: env lookups, other Jinja, both user aliases, a value setup would refuse', async () => {
      const dir = tree({
        'hosts.yml': "all:\n  hosts:\n    h1:\n      ansible_user: alice\n      ansible_ssh_user: bob\n    h2:\n      authentik_root: /tmp\n      compose_project: '{{ project | lower }}'\n  vars:\n    vault_addr: \"{{ lookup('env','VAULT_ADDR') }}\"\n",
      })
      for (const args of [['--list'], ['--list', '--export'], ['--host', 'h2'], ['--graph']]) {
        const { ansible, authctl } = await bothInventories(['-i', join(dir, 'hosts.yml'), ...args])
        expect(authctl, args.join(' ')).toBe(ansible)
      }
    }, 60_000)

    it("{{ lookup('env', …) }} with its defaults evaluates to what Ansible's debug shows", async () => {
      const forms = [
        "{{ lookup('env','U_SET') }}",
        "{{ lookup('env', 'U_UNSET') | default('fallback') }}",
        "{{ lookup('env', 'U_UNSET') | default('fallback', true) }}",
        "{{ lookup('ansible.builtin.env', 'U_UNSET', default='kw') }}",
        'x-{{ lookup("env", "U_SET") }}-y',
        "{{lookup('env','U_SET')|d('z')}}",
        "{{ lookup('env', 'U_EMPTY') | default('fallback', True) }}",
      ]
      const hosts = forms.map((f, i) => `    h${i}:\n      ansible_user: ${JSON.stringify(f)}\n`).join('')
      const dir = tree({ 'hosts.yml': `all:\n  vars:\n    ansible_connection: local\n  hosts:\n${hosts}` })
      const env = { U_SET: 'deploy', U_EMPTY: '' }
      const debug = await runAnsible('ansible', ['all', '-i', join(dir, 'hosts.yml'), '-m', 'debug', '-a', 'var=ansible_user', '-f', '1'], env)
      expect(debug.code, debug.stderr).toBe(0)
      const ansible = Object.fromEntries([...debug.stdout.matchAll(/^(h\d+) \| SUCCESS => \{\s*"ansible_user": ("[^"]*")/gm)].map((m) => [m[1], JSON.parse(m[2] ?? '""') as string]))
      expect(Object.keys(ansible)).toHaveLength(forms.length)
      const inv = await loadInventory(join(dir, 'hosts.yml'), { env })
      expect(Object.fromEntries(inv.selectHosts().map((h) => [h.name, h.user]))).toStrictEqual(ansible)
      expect(ansible).toMatchObject({ h0: 'deploy', h1: '', h2: 'fallback', h3: 'kw', h4: 'x-deploy-y' })
    }, 60_000)

    it("ansible_ssh_* aliases win as in Ansible's ssh connection plugin, with a warning naming both values", async () => {
      const dir = tree({ 'hosts.ini': '[g]\nh1 ansible_host=127.0.0.1 ansible_ssh_host=127.0.0.2 ansible_port=1 ansible_ssh_port=2 ansible_user=alice ansible_ssh_user=bob ansible_private_key_file=/k2 ansible_ssh_private_key_file=/k1\n' })
      const inventory = join(dir, 'hosts.ini')
      const ping = await runAnsible('ansible', ['all', '-i', inventory, '-m', 'ping', '-vvv'])
      const exec = ping.stdout.split('\n').find((l) => l.includes('SSH: EXEC ssh')) ?? ''
      const warnings: string[] = []
      const [h1] = (await loadInventory(inventory, { env: {}, warn: (m) => warnings.push(m) })).selectHosts()
      expect(exec).toContain(`<${h1?.address}> SSH: EXEC`)
      expect(exec).toContain(`-o Port=${h1?.port} `)
      expect(exec).toContain(`-o 'User="${h1?.user}"'`)
      expect(exec).toContain(`-o 'IdentityFile="${h1?.privateKeyFile}"'`)
      expect(h1).toMatchObject({ address: '127.0.0.2', port: 2, user: 'bob', privateKeyFile: '/k1' })
      expect(warnings).toContain(`host h1: ansible_ssh_user="bob" (${inventory}:2) wins over ansible_user="alice" (${inventory}:2), as in Ansible's ssh connection plugin; remove one of them`)
      expect(warnings).toHaveLength(4)
    }, 60_000)

    it('a command refuses a bad value or other Jinja of a selected host (exit 5, file:line), not of a host left out', async () => {
      const dir = tree({ 'hosts.ini': '[authentik]\nh1 ansible_host=127.0.0.1 ansible_port=1 ansible_user=alice ansible_ssh_user=bob\nh2 ansible_host=127.0.0.1 ansible_port=1 authentik_root=/tmp\nh3 ansible_host=127.0.0.1 ansible_port=1 compose_project="{{ project_name }}"\n' })
      const inventory = join(dir, 'hosts.ini')
      // port 1 and no ssh-agent socket: a command that got past its checks fails to connect (exit 4), not 5
      const env = { ...CLI_ENV, VAULT_ADDR: 'http://127.0.0.1:1', CI: '1', SSH_AUTH_SOCK: join(root, 'no-agent') }
      const [one, two, three, all] = await Promise.all(['h1', 'h2', 'h3', 'all'].map((l) => runCli(['lock', 'status', '-i', inventory, '-l', l], env)))
      expect(one?.code, one?.stderr).toBe(4)
      expect(one?.stderr).toContain('Warning: host h1: ansible_ssh_user="bob"')
      expect(two?.code).toBe(5)
      expect(two?.stderr).toContain(`authentik_root is inside /tmp, which belongs to the system; give the stack a folder of its own such as /data/authentik, got "/tmp" (host h2, set in ${inventory}:3)`)
      expect(three?.code).toBe(5)
      expect(three?.stderr).toContain(`Error: compose_project holds Jinja authctl cannot evaluate: "{{ project_name }}" (host h3, set in ${inventory}:4)`)
      expect(three?.stderr).toContain("Hint: authctl evaluates only {{ lookup('env', 'NAME') }}")
      expect(all?.code).toBe(5)
    }, 90_000)
  })
})
