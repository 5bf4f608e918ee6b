import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { credentialFile, renderBundle, type DesiredFile } from '../../../src/render/bundle.js'
import { DEFAULT_INPUT, TEST_CA } from './default-input.js'

const FIXTURES = new URL('../../fixtures/render/', import.meta.url)

// Exact comparison with a golden file; UPDATE_GOLDEN=1 rewrites it (then review the git diff).
async function expectGolden(name: string, actual: string): Promise<void> {
  const file = new URL(name, FIXTURES)
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, actual)
  expect(actual).toBe(await readFile(file, 'utf8'))
}

function byName(files: DesiredFile[], suffix: string): DesiredFile {
  const file = files.find((f) => f.path.endsWith(suffix))
  if (file === undefined) throw new Error(`no ${suffix} in ${files.map((f) => f.path).join(', ')}`)
  return file
}

const octal = (mode: number) => `0${mode.toString(8)}`

describe('renderBundle golden files (default input)', () => {
  it('renders config.hcl, .env.tpl and docker-compose.yml exactly', async () => {
    const { files } = await renderBundle(DEFAULT_INPUT)
    await expectGolden('config.hcl.golden', String(byName(files, '/vault/config/config.hcl').content))
    await expectGolden('env.tpl.golden', String(byName(files, '/vault/templates/.env.tpl').content))
    await expectGolden('docker-compose.yml.golden', String(byName(files, '/docker-compose.yml').content))
  })

  it('gives every dir and file the runbook path, owner, mode and restart', async () => {
    const { dirs, files } = await renderBundle(DEFAULT_INPUT)
    const manifest = {
      dirs: dirs.map((d) => ({ ...d, mode: octal(d.mode) })),
      files: files.map(({ content: _content, ...f }) => ({ ...f, mode: octal(f.mode) })),
    }
    await expectGolden('bundle-manifest.golden.json', `${JSON.stringify(manifest, null, 2)}\n`)
  })
})

describe('renderBundle with a Vault CA', () => {
  it('deploys ca.pem readable by the agent alone and points ca_cert at it', async () => {
    const { files } = await renderBundle({ ...DEFAULT_INPUT, vaultCacert: TEST_CA.trimEnd() })
    const ca = byName(files, '/vault/config/ca.pem')
    expect(ca).toEqual({
      path: '/data/authentik/vault/config/ca.pem',
      content: TEST_CA,
      mode: 0o400,
      uid: 100,
      gid: 1000,
      secret: false,
      restarts: 'agent',
    })
    const hcl = String(byName(files, 'config.hcl').content)
    expect(hcl).toContain('  address = "https://vault.example.internal:8200"\n  ca_cert = "/vault/config/ca.pem"\n')
    const plain = String(byName((await renderBundle(DEFAULT_INPUT)).files, 'config.hcl').content)
    expect(plain).not.toContain('ca_cert')
  })

  it('refuses CA content that is not a PEM certificate', async () => {
    await expect(renderBundle({ ...DEFAULT_INPUT, vaultCacert: 'not a cert' })).rejects.toThrow(/vault_cacert must be PEM/)
  })
})

describe('credentialFile', () => {
  it.each(['role-id', 'secret-id'] as const)('%s is 0400 owned by the agent, secret, and restarts the agent', (name) => {
    expect(credentialFile('/data/authentik', name, 'VALUE')).toEqual({
      path: `/data/authentik/vault/config/${name}`,
      content: 'VALUE',
      mode: 0o400,
      uid: 100,
      gid: 1000,
      secret: true,
      restarts: 'agent',
    })
  })
})

describe('renderBundle override folder', () => {
  let dir = ''
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('uses only the files present in the override folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    await writeFile(join(dir, 'env.tpl.ejs'), 'OVERRIDE host=<%= v.hostName %> path=<%= v.databaseSecretPath %>\n')
    const { files } = await renderBundle(DEFAULT_INPUT, { overrideDir: dir })
    expect(byName(files, '.env.tpl').content).toBe('OVERRIDE host="authentik-1" path="secret/data/cwiq/shared/authentik/database"\n')
    const defaults = (await renderBundle(DEFAULT_INPUT)).files
    expect(byName(files, 'config.hcl').content).toBe(byName(defaults, 'config.hcl').content)
    expect(byName(files, 'docker-compose.yml').content).toBe(byName(defaults, 'docker-compose.yml').content)
  })

  it('falls back to the defaults when the override folder does not exist', async () => {
    const { files } = await renderBundle(DEFAULT_INPUT, { overrideDir: '/nonexistent/authctl/templates' })
    expect(byName(files, 'config.hcl').content).toContain('remove_secret_id_file_after_reading = false')
  })

  it('reads every template from templatesDir when given', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    await mkdir(join(dir, 't'))
    for (const name of ['config.hcl.ejs', 'env.tpl.ejs', 'docker-compose.yml.ejs']) {
      await writeFile(join(dir, 't', name), `${name}:<%= v.composeProject %>`)
    }
    const { files } = await renderBundle(DEFAULT_INPUT, { templatesDir: join(dir, 't') })
    expect(files.map((f) => f.content)).toEqual([
      'docker-compose.yml.ejs:"authentik"',
      'config.hcl.ejs:"authentik"',
      'env.tpl.ejs:"authentik"',
    ])
  })
})

describe('renderBundle missing or unknown variables', () => {
  let dir = ''
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it.each([
    ['vaultAddr', /vault_addr is missing or empty/],
    ['vaultKvPath', /vault_kv_path is missing or empty/],
    ['authentikImage', /authentik_image is missing or empty/],
    ['composeProject', /compose_project is missing or empty/],
  ] as const)('a missing %s is a ConfigError naming the variable', async (field, message) => {
    const input: Record<string, unknown> = { ...DEFAULT_INPUT }
    delete input[field]
    const error: unknown = await renderBundle(input as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(/^authentik-1: /)
  })

  it('a template reading an unknown variable fails instead of rendering ""', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    await writeFile(join(dir, 'config.hcl.ejs'), 'line one\naddress = <%= v.vaultAdress %>\n')
    const error: unknown = await renderBundle(DEFAULT_INPUT, { overrideDir: dir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`${join(dir, 'config.hcl.ejs')}:2: unknown variable v.vaultAdress`)
    expect((error as ConfigError).hint).toContain('v.vaultAddr, ')
  })

  it('a nested unknown variable and an undefined value fail too, naming file:line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    const file = join(dir, 'config.hcl.ejs')
    await writeFile(file, 'ca = <%= v.container.caFile %>\n')
    await expect(renderBundle(DEFAULT_INPUT, { overrideDir: dir })).rejects.toThrow(`${file}:1: unknown variable v.container.caFile`)
    await writeFile(file, '\nca = <%= v.vaultCacert %>\n')
    await expect(renderBundle(DEFAULT_INPUT, { overrideDir: dir })).rejects.toThrow(`${file}:2: v.vaultCacert: a template emits undefined where text`)
    await writeFile(file, 'c = <%= v.container %>\n')
    await expect(renderBundle(DEFAULT_INPUT, { overrideDir: dir })).rejects.toThrow(`${file}:1: v.container: a template emits object where text`)
  })

  it('a bare name, logic or an unclosed tag in an override is a ConfigError naming file:line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    const file = join(dir, 'config.hcl.ejs')
    await writeFile(file, 'a = <%= vaultAddr %>\n')
    await expect(renderBundle(DEFAULT_INPUT, { overrideDir: dir })).rejects.toThrow(`${file}:1: "<%= vaultAddr %>" is not a plain <%= v.name %> substitution`)
    await writeFile(file, 'x\n<% if (v.vaultCacert !== undefined) { -%>\n')
    await expect(renderBundle(DEFAULT_INPUT, { overrideDir: dir })).rejects.toThrow(`${file}:2: "<% if (v.vaultCacert !== undefined) { -%>" runs code`)
    await writeFile(file, 'a = <%= v.vaultAddr \n')
    const error: unknown = await renderBundle(DEFAULT_INPUT, { overrideDir: dir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(`${file}:1: "<%= v.vaultAddr" is never closed with %>`)
    expect((error as ConfigError).hint).toMatch(/only use text, <%= v.name %> substitutions and <%# comments %>/)
  })

  it('our own templates folder is still full ejs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'authctl-render-'))
    await mkdir(join(dir, 't'))
    for (const name of ['config.hcl.ejs', 'env.tpl.ejs', 'docker-compose.yml.ejs']) {
      await writeFile(join(dir, 't', name), `<% if (v.vaultCacert === undefined) { %>no ca<% } %>`)
    }
    const { files } = await renderBundle(DEFAULT_INPUT, { templatesDir: join(dir, 't') })
    expect(files.map((f) => f.content)).toEqual(['no ca', 'no ca', 'no ca'])
  })
})

describe('database TLS (pg_sslmode, pg_sslrootcert)', () => {
  it('by default renders sslmode prefer and deploys no CA bundle', async () => {
    const { dirs, files } = await renderBundle(DEFAULT_INPUT)
    expect(String(byName(files, '/vault/templates/.env.tpl').content)).toMatch(/^AUTHENTIK_POSTGRESQL__SSLMODE='prefer'\n$/m)
    expect(String(byName(files, '/vault/templates/.env.tpl').content)).not.toContain('SSLROOTCERT')
    expect(files.map((f) => f.path).join(' ')).not.toContain('db-tls')
    expect(dirs.map((d) => d.path).join(' ')).not.toContain('db-tls')
    expect(String(byName(files, '/docker-compose.yml').content)).not.toContain('db-tls')
  })

  it('with a CA bundle: the file read-only on the host, its container path in .env, mounted into server and worker', async () => {
    const { dirs, files } = await renderBundle({ ...DEFAULT_INPUT, pgSslmode: 'verify-full', pgSslrootcert: TEST_CA.trimEnd() })
    const ca = byName(files, '/db-tls/ca.pem')
    expect([ca.path, ca.content, ca.mode, ca.uid, ca.gid, ca.secret, ca.restarts]).toEqual(['/data/authentik/db-tls/ca.pem', TEST_CA, 0o444, 0, 0, false, 'agent'])
    expect(dirs).toContainEqual({ path: '/data/authentik/db-tls', mode: 0o755, uid: 0, gid: 0 })
    const env = String(byName(files, '/vault/templates/.env.tpl').content)
    expect(env).toMatch(/^AUTHENTIK_POSTGRESQL__SSLMODE='verify-full'\nAUTHENTIK_POSTGRESQL__SSLROOTCERT='\/db-tls\/ca.pem'\n$/m)
    expect(String(byName(files, '/docker-compose.yml').content).match(/- "\.\/db-tls:\/db-tls:ro"/g)).toHaveLength(2)
  })

  it.each([
    [{ pgSslmode: 'verify-all' }, /pg_sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full/],
    [{ pgSslmode: 'verify-full' }, /pg_sslmode verify-full needs pg_sslrootcert/],
    [{ pgSslmode: 'require', pgSslrootcert: 'not a pem' }, /pg_sslrootcert must be PEM certificate content/],
  ])('refuses %j', async (extra, message) => {
    await expect(renderBundle({ ...DEFAULT_INPUT, ...extra })).rejects.toThrow(message)
  })
})
