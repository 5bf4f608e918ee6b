// The rendered files against real parsers: `terraform fmt`/`terraform console` (HCL), Debian's
// docker-compose `config` (compose schema), and .env.tpl rendered the way the agent would, then
// sourced by the compose file's own entrypoint wrapper under /bin/sh.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { type DesiredFile, renderBundle } from '../../src/render/bundle.js'
import { hclString } from '../../src/render/hcl.js'
import { composeString } from '../../src/render/yaml-scalar.js'
import { renderSubset } from '../unit/render/consul-template-subset.js'
import { DEFAULT_INPUT, TEST_CA, runbookSecrets } from '../unit/render/default-input.js'

const TERRAFORM = '/usr/local/bin/terraform'
const COMPOSE = '/usr/bin/docker-compose'
const BASE_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: tmpdir(), TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1' }

interface Run {
  code: number
  stdout: string
  stderr: string
}

// Runs a binary with input on stdin; resolves with the exit code instead of rejecting.
function run(file: string, args: string[], opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: opts.env ?? BASE_ENV, timeout: 30_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
    // a child that exits without reading stdin (sh -c …) closes the pipe first: EPIPE there is expected
    child.stdin?.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e
    })
    child.stdin?.end(opts.input ?? '')
  })
}

function content(files: DesiredFile[], suffix: string): string {
  const file = files.find((f) => f.path.endsWith(suffix))
  if (file === undefined) throw new Error(`no ${suffix}`)
  return String(file.content)
}

let work = ''
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'authctl-render-validate-'))
})
afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true })
})

describe('config.hcl is HCL', () => {
  it.each([
    ['without a CA', DEFAULT_INPUT],
    ['with a CA', { ...DEFAULT_INPUT, vaultCacert: TEST_CA }],
  ])('%s: terraform fmt parses it and has nothing to reformat', async (_label, input) => {
    const hcl = content((await renderBundle(input)).files, 'config.hcl')
    const result = await run(TERRAFORM, ['fmt', '-'], { input: hcl, cwd: work })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(hcl)
  })

  it('terraform fmt rejects broken HCL (the check can fail)', async () => {
    const hcl = content((await renderBundle(DEFAULT_INPUT)).files, 'config.hcl')
    const injected = hcl.replace('"https://vault.example.internal:8200"', '"https://vault"\n"')
    expect((await run(TERRAFORM, ['fmt', '-'], { input: injected, cwd: work })).code).not.toBe(0)
    const unclosed = hcl.replace(/}\s*$/, '')
    expect((await run(TERRAFORM, ['fmt', '-'], { input: unclosed, cwd: work })).code).not.toBe(0)
  })

  it('hclString values evaluate back to the exact text in HCL (terraform console)', async () => {
    const values = ['a "quoted" value', 'back\\slash\\', 'l1\nl2\r\tend', '${x} %{if y}${z}%{endif} $${w} %%{v}', "it's", '\u0001\u007f\u2028', 'é 😀']
    // Non-interactive `terraform console` prints only the last expression: evaluate one list.
    const input = `join(",", [${values.map((v) => `base64encode(${hclString(v)})`).join(', ')}])\n`
    const result = await run(TERRAFORM, ['console'], { input, cwd: work })
    expect(result.code).toBe(0)
    const joined = JSON.parse(result.stdout.trim()) as string
    expect(joined.split(',').map((b64) => Buffer.from(b64, 'base64').toString('utf8'))).toEqual(values)
  })

  it('a hostile vault_addr stays one address attribute', async () => {
    const vaultAddr = 'https://vault.example:8200/p"ath\\${x}%{y}/'
    const hcl = content((await renderBundle({ ...DEFAULT_INPUT, vaultAddr })).files, 'config.hcl')
    const result = await run(TERRAFORM, ['fmt', '-'], { input: hcl, cwd: work })
    expect(result.code).toBe(0)
    expect(hcl.match(/^\s*address\s*=/gm)).toHaveLength(1)
    const value = await run(TERRAFORM, ['console'], { input: `base64encode(${/address = (.*)\n/.exec(hcl)?.[1]})\n`, cwd: work })
    expect(Buffer.from(JSON.parse(value.stdout.trim()) as string, 'base64').toString()).toBe(vaultAddr)
  })
})

describe('docker-compose.yml passes docker-compose config', () => {
  // Compose v1 (Debian's 1.29, a Python script) predates the top-level `name:` key that v2 reads;
  // there `-p` says the same. Checked from the file's first bytes: `version` costs a Python start-up.
  let v1 = false
  beforeAll(async () => {
    v1 = (await readFile(COMPOSE, 'latin1')).startsWith('#!')
  })

  async function validate(yamlText: string, project: string): Promise<Run> {
    const dir = await mkdtemp(join(work, 'compose-'))
    const text = v1 ? yamlText.replace(/^name: .*\n/m, '') : yamlText
    await writeFile(join(dir, 'docker-compose.yml'), text)
    return run(COMPOSE, ['-p', project, '-f', join(dir, 'docker-compose.yml'), 'config'], { cwd: dir })
  }

  it('the rendered file is valid and means what the template says', async () => {
    const yamlText = content((await renderBundle(DEFAULT_INPUT)).files, 'docker-compose.yml')
    expect(yamlText).toMatch(/^name: "authentik"$/m)
    const result = await validate(yamlText, 'authentik')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const config = parse(result.stdout) as {
      services: Record<string, { depends_on?: unknown; image: string; user: string; command: string[]; volumes: string[] }>
      volumes: { secrets: { driver_opts: Record<string, string> } }
    }
    expect(Object.keys(config.services).sort()).toEqual(['server', 'vault-agent', 'worker'])
    expect(config.services['vault-agent']?.user).toBe('100:1000')
    expect(config.services['vault-agent']?.command).toEqual(['vault', 'agent', '-config=/vault/config/config.hcl'])
    expect(config.services['vault-agent']?.volumes).toContain('secrets:/vault/secrets:rw')
    for (const app of ['server', 'worker']) {
      expect(config.services[app]?.depends_on).toEqual({ 'vault-agent': { condition: 'service_healthy' } })
      expect(config.services[app]?.image).toBe('ghcr.io/goauthentik/server:2026.2.2')
      expect(config.services[app]?.volumes).toContain('secrets:/vault/secrets:ro')
    }
    expect(config.volumes.secrets.driver_opts).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=100,gid=1000,mode=0750' })
  })

  it('docker-compose config rejects an invalid file (the check can fail)', async () => {
    const yamlText = content((await renderBundle(DEFAULT_INPUT)).files, 'docker-compose.yml')
    const bad = await validate(yamlText.replaceAll('condition: service_healthy', 'condition: service_happy'), 'authentik')
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/service_happy/)
  })

  it('composeString values reach compose as literal text, never as keys or interpolation', async () => {
    const values = ['a "q" b', 'l1\nl2', '${X} $Y $$Z', "it's", '{{ x }}', 'é 😀 \u2028', 'tab\there', '#c', 'x\n  injected: true', 'back\\slash']
    const env = values.map((v, i) => `      V${i}: ${composeString(v)}\n`).join('')
    const result = await validate(`services:\n  x:\n    image: "busybox:1"\n    environment:\n${env}`, 'x')
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('') // an interpolated $X would warn "The X variable is not set"
    const out = parse(result.stdout, { version: '1.1' }) as { services: { x: { environment: Record<string, string> } } }
    // compose prints literal `$` re-escaped as `$$`.
    expect(out.services.x.environment).toEqual(Object.fromEntries(values.map((v, i) => [`V${i}`, v.replaceAll('$', () => '$$')])))
  })
})

describe('.env.tpl yields exactly the five variables and the database TLS settings', () => {
  const HOSTILE = {
    pg_host: 'db.example.internal',
    pg_user: "o'brien",
    pg_password: `p'w"d $(touch pwned) \`touch pwned\` \\ $HOME\nsecond line '\\''`,
    pg_name: 'authentik',
    secret_key: "k' ; touch pwned ; echo '",
  }

  // Runs the compose file's own entrypoint wrapper under /bin/sh with the rendered .env and a fake
  // `ak` that records its arguments and environment.
  async function runWrapper(envFileText: string): Promise<{ args: string[]; env: Map<string, string>; files: string[] }> {
    const dir = await mkdtemp(join(work, 'wrapper-'))
    await writeFile(join(dir, '.env'), envFileText)
    await writeFile(join(dir, 'ak'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\nenv -0 > '${dir}/env'\n`)
    await chmod(join(dir, 'ak'), 0o755)
    const compose = parse(content((await renderBundle(DEFAULT_INPUT)).files, 'docker-compose.yml')) as {
      services: { server: { entrypoint: string[] } }
    }
    const [, , shell, dashC, script, argv0] = compose.services.server.entrypoint
    expect([shell, dashC, argv0]).toEqual(['/bin/sh', '-c', 'ak'])
    const wrapper = (script ?? '').replaceAll('$$', '$').replaceAll('/vault/secrets/.env', `${dir}/.env`)
    const result = await run('/bin/sh', ['-c', wrapper, 'ak', 'server'], { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin` } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const env = new Map(
      (await readFile(join(dir, 'env'), 'utf8')).split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
    )
    return { args: (await readFile(join(dir, 'args'), 'utf8')).split('\n').filter(Boolean), env, files: await readdir(dir) }
  }

  it('renders, and the wrapper exports exactly the five values and sslmode, byte for byte, with nothing executed', async () => {
    const template = content((await renderBundle(DEFAULT_INPUT)).files, '.env.tpl')
    const rendered = renderSubset(template, runbookSecrets(HOSTILE))
    const baseline = await runWrapper('# nothing\n')
    const { args, env, files } = await runWrapper(rendered)
    expect(args).toEqual(['server'])
    const added = [...env.keys()].filter((k) => !baseline.env.has(k)).sort()
    expect(added).toEqual([
      'AUTHENTIK_POSTGRESQL__HOST',
      'AUTHENTIK_POSTGRESQL__NAME',
      'AUTHENTIK_POSTGRESQL__PASSWORD',
      'AUTHENTIK_POSTGRESQL__SSLMODE',
      'AUTHENTIK_POSTGRESQL__USER',
      'AUTHENTIK_SECRET_KEY',
    ])
    expect(env.get('AUTHENTIK_POSTGRESQL__SSLMODE')).toBe('prefer')
    expect(env.get('AUTHENTIK_POSTGRESQL__HOST')).toBe(HOSTILE.pg_host)
    expect(env.get('AUTHENTIK_POSTGRESQL__USER')).toBe(HOSTILE.pg_user)
    expect(env.get('AUTHENTIK_POSTGRESQL__PASSWORD')).toBe(HOSTILE.pg_password)
    expect(env.get('AUTHENTIK_POSTGRESQL__NAME')).toBe(HOSTILE.pg_name)
    expect(env.get('AUTHENTIK_SECRET_KEY')).toBe(HOSTILE.secret_key)
    expect(files).not.toContain('pwned')
  })

  it('with pg_sslrootcert: verify-full, the CA path, and the bundle mounted read-only into server and worker', async () => {
    const input = { ...DEFAULT_INPUT, pgSslmode: 'verify-full', pgSslrootcert: TEST_CA }
    const { files } = await renderBundle(input)
    const { env } = await runWrapper(renderSubset(content(files, '.env.tpl'), runbookSecrets()))
    expect(env.get('AUTHENTIK_POSTGRESQL__SSLMODE')).toBe('verify-full')
    expect(env.get('AUTHENTIK_POSTGRESQL__SSLROOTCERT')).toBe('/db-tls/ca.pem')
    const dir = await mkdtemp(join(work, 'compose-tls-'))
    await writeFile(join(dir, 'docker-compose.yml'), content(files, 'docker-compose.yml').replace(/^name: .*\n/m, ''))
    const result = await run(COMPOSE, ['-p', 'authentik', '-f', join(dir, 'docker-compose.yml'), 'config'], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    const services = (parse(result.stdout) as { services: Record<string, { volumes: string[] }> }).services
    for (const app of ['server', 'worker']) expect(services[app]?.volumes).toContain(`${dir}/db-tls:/db-tls:ro`)
    expect(services['vault-agent']?.volumes.join(' ')).not.toContain('db-tls')
  })

  it('without the replaceAll pipe the same secrets would break out (the check can fail)', async () => {
    const template = content((await renderBundle(DEFAULT_INPUT)).files, '.env.tpl').replaceAll(` | replaceAll "'" "'\\\\''"`, '')
    expect(template).not.toContain('replaceAll')
    const rendered = renderSubset(template, runbookSecrets(HOSTILE))
    const dir = await mkdtemp(join(work, 'naive-'))
    await writeFile(join(dir, '.env'), rendered)
    await run('/bin/sh', ['-c', 'set -a; . ./.env; set +a'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } })
    expect(await readdir(dir)).toContain('pwned')
  })
})
