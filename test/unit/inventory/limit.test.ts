import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { loadInventory } from '../../../src/inventory/load-inventory.js'
import { splitHostPattern } from '../../../src/inventory/limit.js'

const A1 = 'auth01.example.internal'
const A2 = 'auth02.example.internal'
const A3 = 'auth03.example.internal'
const WA = 'worker-a.example.internal'
const WB = 'worker-b.example.internal'
const dir = mkdtempSync(join(tmpdir(), 'authctl-limit-'))
writeFileSync(join(dir, 'limit.txt'), 'bastion\nworker-b.example.internal\n\n')

// [--limit, hosts] — each checked against `ansible all --list-hosts --limit` on the golden fixture (2.14.18).
const CASES: Array<[string, string[]]> = [
  ['authentik_server', [A1, A2, A3]],
  ['authentik:!authentik_worker', [A1, A2, A3]],
  ['!authentik_worker:authentik', [A1, A2, A3]],
  ['authentik,&authentik_worker', [WA, WB]],
  ['&authentik_worker', [WA, WB]],
  ['auth0*', [A1, A2, A3]],
  ['~worker-[ab]', [WA, WB]],
  ['authentik_server[0]', [A1]],
  ['authentik_server[-1]', [A3]],
  ['authentik_server[1:2]', [A2, A3]],
  ['authentik_server[1:]', [A2, A3]],
  ['authentik[0:0]', [A1]],
  ['bastion,worker-a.example.internal', ['bastion', WA]],
  ['*.example.internal,!auth02*', [A1, A3, WA, WB]],
  ['all:!ungrouped', [A1, A2, A3, WA, WB]],
  [`@${join(dir, 'limit.txt')}`, ['bastion', WB]],
  ['', ['bastion', A1, A2, A3, WA, WB]],
]

describe('--limit patterns', async () => {
  const inv = await loadInventory('test/fixtures/inventory/golden/hosts.ini', { env: {} })
  it.each(CASES)('%s', (limit, hosts) => {
    expect(inv.matchHosts(limit)).toEqual(hosts)
  })

  it.each([
    ['nosuch', "--limit term 'nosuch'"],
    ['authentik,!nosuch', "--limit term '!nosuch'"],
    ['authentik[:1]', "--limit term 'authentik[:1]'"],
    ['authentik_server[7]', "No hosts matched the subscripted pattern 'authentik_server[7]'"],
    ['@/nonexistent/limit', 'Unable to find limit file /nonexistent/limit'],
    ['~(', 'Invalid host list pattern: ~('],
  ])('%s is a ConfigError naming the term', (limit, message) => {
    expect(() => inv.matchHosts(limit)).toThrow(ConfigError)
    expect(() => inv.matchHosts(limit)).toThrow(message)
  })

  it('selectHosts uses the load-time limit by default', async () => {
    const limited = await loadInventory('test/fixtures/inventory/golden/hosts.ini', { env: {}, limit: 'authentik_worker' })
    expect(limited.selectHosts().map((h) => h.name)).toEqual([WA, WB])
    expect(limited.toListJson({ limit: 'authentik_worker' })._meta.hostvars).toHaveProperty([WA])
    expect(Object.keys(limited.toListJson({ limit: 'authentik_worker' })._meta.hostvars)).toEqual([WA, WB])
  })

  it.each([
    ['a,b[1], c[2:3] , d', ['a', 'b[1]', 'c[2:3]', 'd']],
    ['a:b:&c:!d', ['a', 'b', '&c', '!d']],
    ['web[0:2]', ['web[0:2]']],
    ['2001:db8::1', ['2001:db8::1']],
  ])('splitHostPattern(%s)', (pattern, parts) => {
    expect(splitHostPattern(pattern)).toEqual(parts)
  })
})
