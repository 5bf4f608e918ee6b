import { RUNBOOK_VAULT_VARS } from './runbook-vault-vars.js'
import { describe, expect, it } from 'vitest'
import { loadInventory } from '../../../src/inventory/load-inventory.js'

const FIX = 'test/fixtures/inventory'
const env = { HOME: '/home/op' }

describe('golden fixture (reference §9)', async () => {
  const inv = await loadInventory(`${FIX}/golden/hosts.ini`, { env })
  const list = inv.toListJson()

  it('groups, children and hosts', () => {
    const { _meta, ...groups } = list
    expect(_meta.hostvars).toBeDefined()
    expect(groups).toEqual({
      all: { children: ['ungrouped', 'authentik'] },
      authentik: { children: ['authentik_server', 'authentik_worker'] },
      authentik_server: { hosts: ['auth01.example.internal', 'auth02.example.internal', 'auth03.example.internal'] },
      authentik_worker: { hosts: ['worker-a.example.internal', 'worker-b.example.internal'] },
      ungrouped: { hosts: ['bastion'] },
    })
  })

  const common = { ansible_ssh_private_key_file: '~/.ssh/authentik.pem', compose_project: 'authentik', max_fail: 0, pg_host: 'db.example.internal', rolling: true, vault_addr: 'https://vault.example.internal:8200', vault_role: 'from-group-vars-all' }
  it.each([
    ['auth01.example.internal', { ...common, ansible_user: 'ubuntu', role_id_path: '/etc/vault-agent/role-id' }],
    ['auth02.example.internal', { ...common, ansible_user: 'ubuntu' }],
    ['auth03.example.internal', { ...common, ansible_user: 'ubuntu', ansible_host: '10.0.1.13', ansible_port: 2222 }],
    ['worker-a.example.internal', { ...common, compose_project: 'authentik-worker' }],
    ['bastion', { ansible_connection: 'local', vault_addr: 'https://vault.example.internal:8200', vault_role: 'from-group-vars-all' }],
  ])('hostvars of %s', (host, vars) => {
    expect(list._meta.hostvars[host]).toStrictEqual(vars)
    expect(inv.hostJson(host)).toStrictEqual(vars)
  })

  it('graph', () => {
    expect(inv.graph()).toBe(['@all:', '  |--@ungrouped:', '  |  |--bastion', '  |--@authentik:', '  |  |--@authentik_server:',
      '  |  |  |--auth01.example.internal', '  |  |  |--auth02.example.internal', '  |  |  |--auth03.example.internal',
      '  |  |--@authentik_worker:', '  |  |  |--worker-a.example.internal', '  |  |  |--worker-b.example.internal'].join('\n'))
    expect(inv.graph('authentik_worker')).toBe('@authentik_worker:\n  |--worker-a.example.internal\n  |--worker-b.example.internal')
  })

  it('HostConfig with connection vars and runbook defaults', () => {
    const [auth03] = inv.selectHosts('auth03*')
    expect(auth03).toEqual({
      name: 'auth03.example.internal', address: '10.0.1.13', port: 2222, user: 'ubuntu', privateKeyFile: '/home/op/.ssh/authentik.pem',
      sshCommonArgs: undefined, sshExtraArgs: undefined, connection: 'ssh', raw: list._meta.hostvars['auth03.example.internal'],
      vars: { authentikRoot: '/data/authentik', vaultKvMount: 'secret', vaultKvPath: 'cwiq/shared/authentik', vaultApprole: 'authentik', composeProject: 'authentik', vaultAddr: 'https://vault.example.internal:8200', vaultCacert: undefined, authentikImage: 'ghcr.io/goauthentik/server:2026.2.2', vaultImage: 'hashicorp/vault:1.21.4', ...RUNBOOK_VAULT_VARS },
    })
    expect(inv.selectHosts('bastion')[0]).toMatchObject({ address: 'bastion', port: 22, connection: 'local', user: undefined })
  })
})

describe('INI typing and structure (reference §2–§5)', async () => {
  const inv = await loadInventory(`${FIX}/typing/hosts.ini`, { env })
  const hv = (h: string): Record<string, unknown> => inv.hostVars(h).vars

  it.each([
    ['h1', { n: 42, nq: 42, s: '42', pw: '03#pa33w0rd', b: true, bq: true, bt: 'true', by: 'yes', bn: 'null', bs: 'True', k: null }],
    ['h2', { a: '01', m: '0777', x: 31, d: 1000, c: 1000, g: -5, f: 1.5, t: [1, 2], l: [1, 2], j: { a: 1 }, i: '{a:1}' }],
    ['h3', { spaced: 'hello world', quoted: 'x y', hashy: 'a#b', empty: '', s: '', q: 'a=b', esc: 'a"b', bb: 'xy', cat: 'ab', ob: 15, bin: 5 }],
    ['dup', { a: 2, b: 1 }],
    ['h4', { ansible_port: 2200, ipv4: '10.0.0.9' }],
    ['10.0.0.9', { ansible_port: 2222 }],
    ['2001:db8::2', { ansible_port: 2222 }],
    ['www2', { ansible_user: 'deploy' }],
  ])('inline vars of %s', (host, vars) => {
    expect(hv(host)).toMatchObject(vars)
  })

  it(':vars values (split on the first =, then literal_eval)', () => {
    expect(inv.data.group('g').vars).toStrictEqual({
      http_port: 8080, http_port_c: 8080, v_comment: 'abc # trailing comment', v_bool: true, has_java: false, var: 'FALSE', port_str: '8080',
      quoted_in_vars: "'x'", v_list: [1, 2], spacey: 'a b  c', empty: '', nested: { a: { b: [1, 'two', null] } }, neg: -3.25,
    })
    expect(hv('h1')).toMatchObject({ from_all: 1, http_port: 8080 })
  })

  it('range expansion order and ungrouped membership', () => {
    const hosts = inv.hostNames()
    for (const h of ['pad08', 'pad09', 'pad10', 'db-a', 'db-c', 'host1', 'host3', 'host5', 'r1na', 'r2nb', 'alphay', 'alphaB', 'zero0']) expect(hosts).toContain(h)
    expect(hosts).not.toContain('host2')
    // h1/dup are in [g], so they leave ungrouped; h2 was listed under an explicit [ungrouped] and stays; lonely too.
    expect(inv.data.group('ungrouped').hosts).not.toContain('h1')
    expect(inv.data.group('ungrouped').hosts).toContain('lonely')
    expect(inv.toListJson().all).toEqual({ children: ['ungrouped', 'g', 'empty_group'] })
    expect(inv.toListJson()).not.toHaveProperty('empty_group')
  })
})

describe('variable precedence (reference §6, §7)', () => {
  it('depth, then ASCII name, then ansible_group_priority', async () => {
    const inv = await loadInventory(`${FIX}/precedence/hosts.ini`, { env })
    // z (depth 2) beats a/b (depth 1) for v and w; b beats a for u by name.
    expect(inv.hostVars('h').vars).toStrictEqual({ v: 'z', w: 'z', u: 'b' })
    expect(inv.hostVars('h').sources.u).toBe(`${FIX}/precedence/hosts.ini:18`)
  })

  it('group_vars directories, files, extensions and host_vars', async () => {
    const inv = await loadInventory(`${FIX}/vars-dirs/hosts`, { env })
    // w1 is in web, a and b; b has priority 0 so a (priority 1) wins at equal depth; then group_vars/web dir wins.
    expect(inv.hostVars('w1').vars).toStrictEqual({ x: 'dir', pri: 'a', from_dir: 1, from_noext: 1, common: true })
    // host_vars/w2.yaml beats the inline var, which beats group_vars.
    expect(inv.hostVars('w2').vars).toMatchObject({ x: 'host' })
    expect(inv.hostVars('w2').sources.x).toMatch(/host_vars\/w2\.yaml:\d+$/)
    expect(inv.hostVars('d1').vars).toStrictEqual({ x: 'json', from_json: [1, 2], common: true })
  })

  it('YAML inventory with YAML 1.1 scalars, ranges, ports and priorities', async () => {
    const inv = await loadInventory(`${FIX}/yaml/hosts.yml`, { env })
    expect(inv.hostVars('web2').vars).toStrictEqual({ enabled: true, mode: '0644', exp: '1e3', letter: 'y', when: '2001-01-01', from_gv: true, ansible_port: 2200, ansible_user: 'deploy', layer: 'stack' })
    expect(inv.hostVars('db1').vars).toMatchObject({ off_switch: false, list: [1, 'two', null] })
    expect(inv.data.group('stack').priority).toBe(5)
    expect(inv.toListJson().ungrouped).toEqual({ hosts: ['solo'] })
  })

  it('a directory inventory loads files in order and skips .ini', async () => {
    const inv = await loadInventory(`${FIX}/directory`, { env })
    expect(inv.hostNames()).toEqual(['d1', 'd2'])
    expect(inv.hostVars('d2').vars).toStrictEqual({ dirvar: 'ok' })
  })
})
