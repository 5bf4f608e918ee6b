import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { AUTHCTL_DEFAULTS } from '../../../src/inventory/authctl-vars.js'
import { loadInventory } from '../../../src/inventory/load-inventory.js'
import { RUNBOOK_VAULT_VARS } from './runbook-vault-vars.js'

// Typed variables are validated where a command selects hosts, not while loading (ansible-inventory lists them).
async function selectionError(path: string): Promise<unknown> {
  const inv = await loadInventory(path, { env: {} })
  return Promise.resolve().then(() => inv.selectHosts()).then(() => new Error('selected'), (e: unknown) => e)
}

function inventory(ini: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
  writeFileSync(join(dir, 'hosts.ini'), ini)
  return join(dir, 'hosts.ini')
}

describe('typed authctl variables', () => {
  it('defaults reproduce the runbook; vault_addr falls back to VAULT_ADDR', async () => {
    const inv = await loadInventory(inventory('h1\n'), { env: { VAULT_ADDR: 'https://vault.internal:8200/' } })
    expect(inv.selectHosts()[0]?.vars).toEqual({
      authentikRoot: '/data/authentik', vaultKvMount: 'secret', vaultKvPath: 'cwiq/shared/authentik', vaultApprole: 'authentik',
      composeProject: 'authentik', vaultAddr: 'https://vault.internal:8200', vaultCacert: undefined,
      authentikImage: AUTHCTL_DEFAULTS.authentik_image, vaultImage: AUTHCTL_DEFAULTS.vault_image, ...RUNBOOK_VAULT_VARS,
    })
    expect(AUTHCTL_DEFAULTS.authentik_image).toBe('ghcr.io/goauthentik/server:2026.2.2')
    expect(AUTHCTL_DEFAULTS.vault_image).toBe('hashicorp/vault:1.21.4')
  })

  it('inventory values override defaults and the environment', async () => {
    const ini = "h1 vault_addr=http://127.0.0.1:8200 vault_cacert=/etc/ca.pem authentik_root=/srv/ak/ compose_project=ak2 vault_kv_path=a/b vault_approle=ak-prod authentik_image=reg.local:5000/ak/server@sha256:" + 'a'.repeat(64) + '\n'
    const [h] = (await loadInventory(inventory(ini), { env: { VAULT_ADDR: 'https://other:8200' } })).selectHosts()
    expect(h?.vars).toMatchObject({ vaultAddr: 'http://127.0.0.1:8200', vaultCacert: '/etc/ca.pem', authentikRoot: '/srv/ak', composeProject: 'ak2', vaultKvPath: 'a/b', vaultApprole: 'ak-prod' })
  })

  it('vault_addr stays undefined without inventory value or VAULT_ADDR (the caller decides)', async () => {
    const [h] = (await loadInventory(inventory('h1\n'), { env: {} })).selectHosts()
    expect(h?.vars.vaultAddr).toBeUndefined()
  })

  // [inline assignment on line 2, message part]
  it.each([
    ['authentik_root=relative/path', 'authentik_root must be an absolute path such as /data/authentik, got "relative/path"'],
    ['authentik_root=~/authentik', 'authentik_root must be an absolute path'],
    ['authentik_root=/data/../etc', 'authentik_root must not contain .. segments'],
    ['authentik_root=/data/./ak', 'authentik_root must not contain empty or . segments'],
    ['authentik_root=/data//ak', 'authentik_root must not contain empty or . segments'],
    ['authentik_root=/data/$STACK', 'authentik_root must not contain $ (authctl expands no variables'],
    ['authentik_root=/data/*', 'authentik_root must not contain glob characters'],
    ['authentik_root=/data/ak?', 'authentik_root must not contain glob characters'],
    ['authentik_root=/data/[ab]', 'authentik_root must not contain glob characters'],
    ['authentik_root=/data/{a,b}', 'authentik_root must not contain glob characters'],
    ['authentik_root="/data/auth entik"', 'authentik_root may only use letters, digits and _ . - in folder names'],
    ['authentik_root=/data/-ak', 'authentik_root may only use letters, digits and _ . - in folder names'],
    ['authentik_root=/tmp', 'authentik_root is inside /tmp, which belongs to the system'],
    ['authentik_root=/tmp/ak', 'authentik_root is inside /tmp, which belongs to the system'],
    ['authentik_root=/etc', 'authentik_root is inside /etc, which belongs to the system'],
    ['authentik_root=/var/lib/docker', 'authentik_root is inside /var/lib/docker, which belongs to the system'],
    ['authentik_root=/proc/self', 'authentik_root is inside /proc, which belongs to the system'],
    ['authentik_root=/root', 'authentik_root is a system directory or holds one (/root)'],
    ['authentik_root=/', 'authentik_root is a system directory or holds one (/)'],
    ['authentik_root=/var', 'authentik_root is a system directory or holds one (/var)'],
    ['authentik_root=/var/lib/', 'authentik_root is a system directory or holds one (/var/lib)'],
    ['authentik_root=/home/ec2-user', 'authentik_root is a system directory or holds one (a home directory)'],
    ['vault_cacert=$HOME/ca.pem', 'vault_cacert must not contain $'],
    ['vault_cacert=../certs/ca.pem', 'vault_cacert must not contain .. segments'],
    ['vault_kv_mount=/secret', 'vault_kv_mount must be a Vault path'],
    ['vault_kv_path=a//b', 'vault_kv_path must be a Vault path'],
    ['vault_approle="bad role"', 'vault_approle must be a Vault AppRole name'],
    ['compose_project=Authentik', 'compose_project must be a docker compose project name'],
    ['compose_project=123', 'compose_project must be a string, got 123'],
    ['authentik_image=ghcr.io/goauthentik/server', 'authentik_image must pin an exact tag'],
    ['vault_image=hashicorp/vault:latest', 'vault_image must pin an exact tag, not latest'],
    ['vault_addr=vault.internal', 'vault_addr must be an http(s) URL'],
    ['ansible_port=70000', 'ansible_port must be a port number'],
    ['ansible_port=912345678901234567', 'ansible_port must be a port number 1-65535, got 912345678901234567'],
    ['compose_project=912345678901234567', 'compose_project must be a string, got 912345678901234567'],
    ['vault_approle_secret_id_num_uses=912345678901234567', `vault_approle_secret_id_num_uses must be a whole number up to ${Number.MAX_SAFE_INTEGER} (0 = unlimited), got "912345678901234567"`],
    ['vault_approle_token_ttl=9007199254740993', 'vault_approle_token_ttl must be a duration'],
    ['vault_approle_secret_id_ttl=9007199254740993h', 'vault_approle_secret_id_ttl must be a duration'],
    ['pg_sslmode=verify', 'pg_sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full'],
    ['pg_sslmode=verify-full', 'pg_sslmode verify-full needs pg_sslrootcert'],
    ['pg_sslrootcert=rds.pem', 'pg_sslrootcert must be an absolute path'],
    ['vault_read_policy=root', 'vault_read_policy must be a Vault policy name'],
    ['vault_operator_policy="a b"', 'vault_operator_policy must be a Vault policy name'],
    ['vault_approle_token_ttl=1d', 'vault_approle_token_ttl must be a duration'],
    ['vault_approle_token_ttl=5h', 'vault_approle_token_ttl must not exceed vault_approle_token_max_ttl (14400s), got 18000s'],
    ['vault_approle_secret_id_num_uses=-1', 'vault_approle_secret_id_num_uses must be a whole number'],
    ['vault_approle_token_policies="[1]"', 'vault_approle_token_policies must hold strings'],
    ['vault_approle_token_policies="a,b c"', 'vault_approle_token_policies must name one or more policies'],
    ['rds_instance_id=1db', 'rds_instance_id must be an RDS DB instance identifier'],
    ['rds_instance_id=auth--db', 'rds_instance_id must be an RDS DB instance identifier'],
    ['rds_instance_id=authdb-', 'rds_instance_id must be an RDS DB instance identifier'],
    ['rds_instance_id=auth_db', 'rds_instance_id must be an RDS DB instance identifier'],
    [`rds_instance_id=a${'b'.repeat(63)}`, 'rds_instance_id must be an RDS DB instance identifier'],
  ])('%s fails naming the variable and its file:line', async (assignment, message) => {
    const path = inventory(`[g]\nh1 ${assignment}\n`)
    const error = await selectionError(path)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain(message)
    expect((error as Error).message).toContain(`set in ${path}:2`)
  })

  it.each(['/data/authentik', '/opt/authentik', '/srv/ak/', '/var/lib/authentik', '/home/ec2-user/authentik', '/root/authentik', '/data'])(
    'authentik_root=%s is a folder of its own and passes', async (root) => {
      const [h] = (await loadInventory(inventory(`h1 authentik_root=${root}\n`), { env: {} })).selectHosts()
      expect(h?.vars.authentikRoot).toBe(root.replace(/\/$/, ''))
    },
  )

  it('rds_instance_id takes an RDS identifier from the inventory', async () => {
    const [h] = (await loadInventory(inventory('h1 rds_instance_id=Auth-DB-2\n'), { env: {} })).selectHosts()
    expect(h?.vars.rdsInstanceId).toBe('Auth-DB-2')
  })

  it('a control character in a path names the variable without printing the character', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
    writeFileSync(join(dir, 'hosts.ini'), 'h1\n')
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'host_vars')))
    writeFileSync(join(dir, 'host_vars', 'h1.yml'), 'authentik_root: "/data/a\\x1b[2Jb"\n')
    const error = await selectionError(join(dir, 'hosts.ini'))
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`authentik_root must not contain control characters, got "/data/a\\u001b[2Jb" (host h1, set in ${join(dir, 'host_vars', 'h1.yml')}:1)`)
  })

  it('database TLS and the bootstrap settings: inventory values, lists as YAML or comma strings, numbers or durations', async () => {
    const ini = '[g]\nh1 pg_sslmode=verify-full pg_sslrootcert=/etc/rds/global-bundle.pem vault_approle_token_ttl=1800 vault_approle_secret_id_num_uses=3\n[g:vars]\nvault_approle_token_policies=a, b\nvault_approle_secret_id_ttl=24h\nvault_read_policy=ak-read\n'
    const [h] = (await loadInventory(inventory(ini), { env: {} })).selectHosts()
    expect(h?.vars).toMatchObject({ pgSslmode: 'verify-full', pgSslrootcert: '/etc/rds/global-bundle.pem', vaultReadPolicy: 'ak-read' })
    expect(h?.vars.approle).toEqual({ tokenPolicies: ['a', 'b'], tokenTtl: 1800, tokenMaxTtl: 14400, secretIdTtl: 86400, secretIdNumUses: 3 })
    const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
    writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    h1:\n  vars:\n    vault_approle_token_policies: [x, y]\n    vault_approle_token_max_ttl: 2h30m\n')
    const [y] = (await loadInventory(join(dir, 'hosts.yml'), { env: {} })).selectHosts()
    expect(y?.vars.approle).toMatchObject({ tokenPolicies: ['x', 'y'], tokenMaxTtl: 9000 })
    expect(y?.vars.approle.tokenPolicies).not.toContain('cwiq-shared-authentik-read')
  })

  it('names the group_vars file a bad value came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
    writeFileSync(join(dir, 'hosts.ini'), 'h1\n')
    const gv = join(dir, 'group_vars')
    await import('node:fs/promises').then((fs) => fs.mkdir(gv))
    writeFileSync(join(gv, 'all.yml'), 'vault_kv_mount: 42\n')
    const error = await selectionError(join(dir, 'hosts.ini'))
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`vault_kv_mount must be a string, got 42 (host h1, set in ${join(gv, 'all.yml')}:1)`)
  })

  it('expands ~ in the key file and keeps ssh args as strings', async () => {
    const [h] = (await loadInventory(inventory('h1 ansible_ssh_private_key_file=~/k.pem ansible_ssh_common_args="-o ProxyJump=bastion" ansible_ssh_extra_args=-v ansible_user=ec2-user\n'), { env: { HOME: '/home/op' } })).selectHosts()
    expect(h).toMatchObject({ privateKeyFile: '/home/op/k.pem', sshCommonArgs: '-o ProxyJump=bastion', sshExtraArgs: '-v', user: 'ec2-user', port: 22 })
  })
})

describe('typed variables are read where a command uses them (issue 19, class 7)', () => {
  const ini = [
    '[g]',
    'good vault_addr="{{ lookup(\'env\', \'VAULT_ADDR\') }}"',
    'bad authentik_root=/tmp',
    'jinja compose_project="{{ project | lower }}"',
    'users ansible_user=alice ansible_ssh_user=bob ansible_host=10.0.0.1 ansible_ssh_host=10.0.0.2 ansible_port=22 ansible_ssh_port=2222',
    'nulls ansible_user=carol ansible_ssh_user=None',
    'same ansible_port=2222 ansible_ssh_port="\'2222\'"',
    '',
  ].join('\n')

  it('loading and listing never validates them; selecting a host does, for the selected hosts only', async () => {
    const path = inventory(ini)
    const inv = await loadInventory(path, { env: { VAULT_ADDR: 'https://v:8200' }, warn: () => undefined })
    expect(inv.hostJson('jinja')).toStrictEqual({ compose_project: '{{ project | lower }}' })
    expect(inv.selectHosts('good,users').map((h) => h.name)).toEqual(['good', 'users'])
    expect(() => inv.selectHosts('bad')).toThrow(`authentik_root is inside /tmp, which belongs to the system; give the stack a folder of its own such as /data/authentik, got "/tmp" (host bad, set in ${path}:3)`)
    expect(() => inv.selectHosts()).toThrow(ConfigError)
  })

  it("other Jinja is a ConfigError naming the variable, its file:line and what to write", async () => {
    const path = inventory(ini)
    const inv = await loadInventory(path, { env: {} })
    const error = await Promise.resolve().then(() => inv.selectHosts('jinja')).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(`compose_project holds Jinja authctl cannot evaluate: "{{ project | lower }}" (host jinja, set in ${path}:4)`)
    expect((error as ConfigError).hint).toContain("{{ lookup('env', 'NAME') }}")
  })

  it.each([
    ["{{ lookup('env', 'VAULT_ADDR') }}", { VAULT_ADDR: 'https://v:8200' }, 'https://v:8200'],
    ['{{lookup("ansible.builtin.env","VAULT_ADDR")}}', { VAULT_ADDR: 'https://v:8200' }, 'https://v:8200'],
    ["{{ lookup('env','NOPE') | default('https://fallback:8200', true) }}", {}, 'https://fallback:8200'],
    ["{{ lookup('env','NOPE', default='https://kw:8200') }}", {}, 'https://kw:8200'],
    ["https://{{ lookup('env','VHOST') | d('x') }}:8200", { VHOST: 'vault.internal' }, 'https://vault.internal:8200'],
  ])('vault_addr: %s', async (template, env, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
    writeFileSync(join(dir, 'hosts.yml'), `all:\n  hosts:\n    h1:\n  vars:\n    vault_addr: ${JSON.stringify(template)}\n`)
    const [h] = (await loadInventory(join(dir, 'hosts.yml'), { env })).selectHosts()
    expect(h?.vars.vaultAddr).toBe(expected)
  })

  it("an unset variable with | default('…') stays '' as in Ansible, and the error says where", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-vars-'))
    writeFileSync(join(dir, 'hosts.yml'), `all:\n  hosts:\n    h1:\n  vars:\n    vault_addr: "{{ lookup('env','NOPE') | default('https://x:8200') }}"\n`)
    const inv = await loadInventory(join(dir, 'hosts.yml'), { env: {} })
    expect(() => inv.selectHosts()).toThrow(`vault_addr must be an http(s) URL such as https://vault.example.internal:8200, got "" (host h1, set in ${join(dir, 'hosts.yml')}:5)`)
  })

  it("connection aliases resolve as the ssh connection plugin does (ansible_ssh_* wins, null is unset), with a warning naming both", async () => {
    const path = inventory(ini)
    const warnings: string[] = []
    const inv = await loadInventory(path, { env: {}, warn: (m) => warnings.push(m) })
    expect(inv.selectHosts('users')[0]).toMatchObject({ user: 'bob', address: '10.0.0.2', port: 2222 })
    expect(inv.selectHosts('nulls')[0]).toMatchObject({ user: 'carol' })
    // the same port as a number and as text: nothing to warn about
    expect(inv.selectHosts('same')[0]).toMatchObject({ port: 2222 })
    expect(warnings).toEqual([
      `host users: ansible_ssh_host="10.0.0.2" (${path}:5) wins over ansible_host="10.0.0.1" (${path}:5), as in Ansible's ssh connection plugin; remove one of them`,
      `host users: ansible_ssh_port=2222 (${path}:5) wins over ansible_port=22 (${path}:5), as in Ansible's ssh connection plugin; remove one of them`,
      `host users: ansible_ssh_user="bob" (${path}:5) wins over ansible_user="alice" (${path}:5), as in Ansible's ssh connection plugin; remove one of them`,
    ])
  })
})
