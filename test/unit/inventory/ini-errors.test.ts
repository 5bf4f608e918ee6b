import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { loadInventory } from '../../../src/inventory/load-inventory.js'
import { MALFORMED } from './malformed.js'

async function failure(files: Record<string, string | Buffer>, entry: string): Promise<{ error: unknown; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'authctl-bad-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return { error: await loadInventory(join(dir, entry), { env: {} }).catch((e: unknown) => e), dir }
}

describe('malformed inventories fail with path:line', () => {
  it.each(MALFORMED)('%s', async (_name, file, content, line, message) => {
    const { error, dir } = await failure({ [file]: content }, file)
    expect(error).toBeInstanceOf(ConfigError)
    // a .yml file's first line is the yaml plugin's reason; the ini plugin's (Ansible tries it next) follows
    expect((error as ConfigError).message.split('\n')[0]).toBe(`${join(dir, file)}:${line}: ${message}`)
    expect((error as ConfigError).message.split('\n').slice(1)).toEqual(file.endsWith('.yml') ? [expect.stringMatching(/^Ansible's ini plugin cannot read it either: /)] : [])
    expect((error as ConfigError).hint).toBeTruthy()
  })

  it('YAML syntax errors carry the line', async () => {
    const { error, dir } = await failure({ 'hosts.yml': 'all:\n  hosts:\n    a: {b: 1\n' }, 'hosts.yml')
    expect((error as Error).message).toMatch(new RegExp(`^${join(dir, 'hosts.yml')}:\\d+: `))
  })

  it('non-UTF-8 bytes outside comments', async () => {
    const { error, dir } = await failure({ 'hosts.ini': Buffer.from('# caf\xe9 ok in a comment\nh\xe9\n', 'latin1') }, 'hosts.ini')
    expect((error as Error).message).toBe(`${join(dir, 'hosts.ini')}:2: line is not valid UTF-8`)
  })

  it('ansible-vault encrypted group_vars are refused clearly', async () => {
    const { error, dir } = await failure({ 'hosts.ini': 'h1\n', 'group_vars/all.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }, 'hosts.ini')
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`${join(dir, 'group_vars/all.yml')}:1: file is encrypted with ansible-vault, which authctl cannot decrypt`)
  })

  it('a vars file that is not a mapping', async () => {
    const { error, dir } = await failure({ 'hosts.ini': '[web]\nh1\n', 'group_vars/web/list.yml': '- a\n' }, 'hosts.ini')
    expect((error as Error).message).toBe(`${join(dir, 'group_vars/web/list.yml')}:1: vars file must contain a mapping of variables, got a list`)
  })

  it('a missing inventory', async () => {
    await expect(loadInventory('/nonexistent/hosts.ini')).rejects.toThrow('inventory /nonexistent/hosts.ini does not exist')
  })
})
