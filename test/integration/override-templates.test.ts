// Issue 12's scenario end to end: a CI job runs `setup --check --diff` on a pull request's checkout
// whose templates/ folder reaches for the operator's Vault token. The built CLI must stop at the
// template with exit 5, naming the file, before Vault or any host is asked, and print no token.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runCli } from './support/cli.js'

const TOKEN = `hvs.SENTINEL-cli-token-${process.pid}`
let dir = ''
let overrides = ''
let env: NodeJS.ProcessEnv = {}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-override-cli-'))
  overrides = join(dir, 'templates')
  await mkdir(overrides)
  // port 1 on loopback: nothing answers, so any attempt to reach Vault or a host would fail loudly
  await writeFile(join(dir, 'hosts.ini'), '[authentik]\nh1 ansible_host=127.0.0.1 ansible_port=1\n')
  await writeFile(join(dir, '.vault-token'), `${TOKEN}\n`)
  env = { PATH: process.env.PATH, HOME: dir, VAULT_ADDR: 'http://127.0.0.1:1', CI: '1' }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function checkDiff(name: string, write: (file: string) => Promise<void>) {
  await rm(overrides, { recursive: true, force: true })
  await mkdir(overrides)
  await write(join(overrides, name))
  const human = await runCli(['setup', '-i', join(dir, 'hosts.ini'), '--check', '--diff'], env)
  const json = await runCli(['setup', '-i', join(dir, 'hosts.ini'), '--check', '--diff', '--json'], env)
  for (const r of [human, json]) {
    expect(r.code, r.stderr).toBe(5)
    expect(r.stdout + r.stderr).not.toContain(TOKEN)
    expect(r.stdout + r.stderr).not.toContain('SENTINEL')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }
  return human.stderr
}

it('an override printing process.env.VAULT_TOKEN stops the run with exit 5 and file:line', async () => {
  const stderr = await checkDiff('docker-compose.yml.ejs', (file) => writeFile(file, 'name: x\ntoken: <%= process.env.VAULT_TOKEN %>\n'))
  expect(stderr).toContain(`${join(overrides, 'docker-compose.yml.ejs')}:2: "<%= process.env.VAULT_TOKEN %>" is not a plain <%= v.name %> substitution`)
})

it('the token read from ~/.vault-token may not appear in an override\'s output', async () => {
  const stderr = await checkDiff('config.hcl.ejs', (file) => writeFile(file, `# ${TOKEN}\n`))
  expect(stderr).toContain(`${join(overrides, 'config.hcl.ejs')}:1: this override would write a secret authctl holds`)
})

it('an override that is a symlink to the token file is refused', async () => {
  const stderr = await checkDiff('env.tpl.ejs', (file) => symlink(join(dir, '.vault-token'), file))
  expect(stderr).toContain(`${join(overrides, 'env.tpl.ejs')} is a symbolic link`)
})
