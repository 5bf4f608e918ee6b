// `authctl inventory` (the built CLI) against Debian's ansible-inventory on every inventory fixture in the
// repository, plus malformed inventories through the CLI (exit 5, path:line). Assumes `npm run build` ran.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { dumpJson } from '../../src/inventory/ansible-json.js'
import { loadInventory } from '../../src/inventory/load-inventory.js'
import { MALFORMED } from '../unit/inventory/malformed.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'bin/run.js')
const scratch = mkdtempSync(join(tmpdir(), 'authctl-ansible-'))
const ENV = { ...process.env, ANSIBLE_LOCAL_TEMP: join(scratch, 'tmp'), ANSIBLE_HOME: join(scratch, 'home'), ANSIBLE_INVENTORY_UNPARSED_FAILED: '1', ANSIBLE_NOCOLOR: '1', VAULT_ADDR: '' }

interface Out {
  code: number
  stdout: string
  stderr: string
}

async function exec(cmd: string, args: string[]): Promise<Out> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: ROOT, env: ENV, timeout: 30_000, maxBuffer: 16 << 20 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

// Run jobs with at most `limit` at a time (ansible-inventory takes ~0.5–2 s per call on 2 shared cores).
async function pool<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await (jobs[i] as () => Promise<T>)()
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker))
  return results
}

// Every inventory fixture: per directory its hosts.ini / hosts.yml / hosts, else the directory itself.
function fixtures(): string[] {
  const base = 'test/fixtures/inventory'
  const found = readdirSync(join(ROOT, base)).sort().map((d) => {
    const entry = ['hosts.ini', 'hosts.yml', 'hosts'].find((f) => existsSync(join(ROOT, base, d, f)))
    return entry ? `${base}/${d}/${entry}` : `${base}/${d}`
  })
  return ['inventory/hosts.ini', ...found]
}

interface Compared {
  fixture: string
  ansibleList: Out
  authctlList: Out
  ansibleGraph: Out
  authctlGraph: string
  hosts: Array<{ host: string; inProcess: string; ansible?: Out }>
}

describe('authctl inventory matches ansible-inventory', () => {
  const compared: Compared[] = []

  beforeAll(async () => {
    const list = fixtures()
    const tops = await pool(list.flatMap((f) => [
      () => exec('ansible-inventory', ['-i', f, '--list']),
      () => exec('node', [CLI, 'inventory', '-i', f, '--list']),
      () => exec('ansible-inventory', ['-i', f, '--graph']),
    ]), 3)
    // authctl's --graph and --host run in-process for every fixture and host (same code as the CLI, which is
    // spawned for the golden fixture below); ansible-inventory --host runs for the first host of each fixture,
    // and every other host is checked against ansible's _meta.hostvars, which is what its --host prints.
    const hostJobs: Array<() => Promise<void>> = []
    for (const [i, fixture] of list.entries()) {
      const [ansibleList, authctlList, ansibleGraph] = tops.slice(i * 3, i * 3 + 3) as [Out, Out, Out]
      const inventory = await loadInventory(fixture, { env: ENV })
      const c: Compared = { fixture, ansibleList, authctlList, ansibleGraph, authctlGraph: inventory.graph() + '\n', hosts: [] }
      compared.push(c)
      const parsed = JSON.parse(ansibleList.stdout || '{"_meta":{"hostvars":{}}}') as { _meta: { hostvars: object } }
      for (const [n, host] of hostNamesOf(parsed).entries()) {
        const entry: Compared['hosts'][number] = { host, inProcess: dumpJson(inventory.hostJson(host)) }
        c.hosts.push(entry)
        if (n === 0) {
          hostJobs.push(async () => {
            entry.ansible = await exec('ansible-inventory', ['-i', fixture, '--host', host])
          })
        }
      }
    }
    await pool(hostJobs, 4)
  }, 120_000)

  it('the built CLI prints --graph and --host exactly as ansible-inventory (golden fixture)', async () => {
    const golden = compared.find((c) => c.fixture.includes('/golden/'))
    const host = golden?.hosts.find((h) => h.ansible)
    const [graph, hostOut] = await Promise.all([
      exec('node', [CLI, 'inventory', '-i', golden?.fixture ?? '', '--graph']),
      exec('node', [CLI, 'inventory', '-i', golden?.fixture ?? '', '--host', host?.host ?? '']),
    ])
    expect(graph.stdout).toBe(golden?.ansibleGraph.stdout)
    expect(hostOut.stdout).toBe(host?.ansible?.stdout)
  })

  it('covers every fixture, each with hosts', () => {
    expect(compared.map((c) => c.fixture)).toContain('inventory/hosts.ini')
    expect(compared.map((c) => c.fixture)).toContain('test/fixtures/inventory/golden/hosts.ini')
    expect(compared.length).toBeGreaterThanOrEqual(7)
    for (const c of compared) expect(c.hosts.length, c.fixture).toBeGreaterThan(0)
  })

  it('--list: same JSON (as parsed values), both exit 0', () => {
    for (const c of compared) {
      expect(c.ansibleList.code, `${c.fixture}: ${c.ansibleList.stderr}`).toBe(0)
      expect(c.authctlList.code, `${c.fixture}: ${c.authctlList.stderr}`).toBe(0)
      expect(JSON.parse(c.authctlList.stdout), c.fixture).toStrictEqual(JSON.parse(c.ansibleList.stdout))
    }
  })

  it('--graph: same text', () => {
    for (const c of compared) {
      expect(c.ansibleGraph.code, c.fixture).toBe(0)
      expect(c.authctlGraph, c.fixture).toBe(c.ansibleGraph.stdout)
    }
  })

  it('--host: same vars for every host', () => {
    for (const c of compared) {
      const hostvars = (JSON.parse(c.ansibleList.stdout) as { _meta: { hostvars: Record<string, unknown> } })._meta.hostvars
      for (const h of c.hosts) {
        expect(JSON.parse(h.inProcess), `${c.fixture} ${h.host}`).toStrictEqual(hostvars[h.host] ?? {})
        if (h.ansible) expect(JSON.parse(h.inProcess), `${c.fixture} ${h.host}`).toStrictEqual(JSON.parse(h.ansible.stdout))
      }
    }
  })
})

function hostNamesOf(list: { _meta: { hostvars: object } } & Record<string, unknown>): string[] {
  const names = new Set<string>(Object.keys(list._meta.hostvars))
  for (const [key, group] of Object.entries(list)) {
    if (key !== '_meta') for (const h of (group as { hosts?: string[] }).hosts ?? []) names.add(h)
  }
  return [...names]
}

describe('malformed inventories through the CLI', () => {
  const cases = MALFORMED.slice(0, 8)
  const outs = new Map<string, { path: string; out: Out }>()

  beforeAll(async () => {
    await pool(cases.map(([name, file, content]) => async () => {
      const dir = mkdtempSync(join(scratch, 'bad-'))
      const path = join(dir, file)
      writeFileSync(path, content)
      outs.set(name, { path, out: await exec('node', [CLI, 'inventory', '-i', path, '--list']) })
    }), 4)
  }, 60_000)

  it.each(cases)('%s: exit 5 and path:line', (name, _file, _content, line, message) => {
    const { path, out } = outs.get(name) ?? { path: '', out: { code: -1, stdout: '', stderr: '' } }
    expect(out.code).toBe(5)
    expect(out.stdout).toBe('')
    expect(out.stderr.split('\n')).toContain(`Error: ${path}:${line}: ${message}`)
    expect(out.stderr).toContain('Hint: ')
    expect(out.stderr).not.toContain('    at ')
  })

  it('a --limit term that matches nothing exits 5 naming the term; --limit narrows --list', async () => {
    const [bad, good] = await Promise.all([
      exec('node', [CLI, 'inventory', '-i', 'test/fixtures/inventory/golden/hosts.ini', '--list', '--limit', 'authentik,nosuch']),
      exec('node', [CLI, 'inventory', '-i', 'test/fixtures/inventory/golden/hosts.ini', '--list', '-l', 'authentik_worker']),
    ])
    expect(bad.code).toBe(5)
    expect(bad.stderr).toContain("--limit term 'nosuch' matches no host or group in the inventory")
    expect(good.code).toBe(0)
    const list = JSON.parse(good.stdout) as Record<string, unknown> & { _meta: { hostvars: object } }
    expect(Object.keys(list._meta.hostvars)).toEqual(['worker-a.example.internal', 'worker-b.example.internal'])
    expect(list).not.toHaveProperty('authentik_server')
  })
})
