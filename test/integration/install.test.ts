// Issue 18: authctl installed as an operator installs it on a bastion, from release/ (`npm run release`,
// which `npm test` runs first): the self-contained tarball unpacked into an empty folder and run with
// no Node anywhere, and the npm tarball installed with `npm install -g --prefix`. Both run a real
// `setup` then `status` against the bed from a site folder outside the repository (an Ansible
// inventory with a templates/ override beside it, ~/.ssh/config, ~/.vault-token), in a mount
// namespace where the repository does not exist, so templates and manifest can only come from the install.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, startTestbed, type Testbed } from '../support/testbed/index.js'
import { onBastion } from './support/bastion.js'
import { allOutputs, runProcess, type CliRun } from './support/cli.js'

const releaseDir = join(repoRoot, 'release')
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
const selfContained = `authctl-${version}-linux-x64.tar.gz`
const npmTarball = `authctl-${version}.tgz`
const MARKER = '# site override: installed-authctl'

let bed: Testbed
let work: string
let site: string
let home: string
let npmInstall: Promise<CliRun>

const hostName = (i: number) => `authentik-${i + 1}`
const deployed = (i: number, file: string) => readFile(join(bed.hosts[i]!.dataDir, 'authentik', file), 'utf8')

beforeAll(async () => {
  for (const file of [selfContained, npmTarball, 'SHA256SUMS']) {
    if (!existsSync(join(releaseDir, file))) throw new Error(`release/${file} is missing: run npm run release first (npm test does)`)
  }
  work = await mkdtemp(join(tmpdir(), 'authctl-install-'))
  // the npm install runs while the bed starts; from npm's cache when `npm ci` filled it
  npmInstall = runProcess('npm', ['install', '-g', '--prefix', join(work, 'npm'), '--prefer-offline', '--no-audit', '--no-fund', join(releaseDir, npmTarball)], { env: process.env, cwd: work, timeoutMs: 300_000 })
  bed = await startTestbed({ hosts: 2 })
  site = join(work, 'site')
  home = join(work, 'home')
  await mkdir(join(site, 'inventory', 'templates'), { recursive: true })
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 })
  // an Ansible inventory that names the hosts only; how to reach them is ~/.ssh/config's business
  await writeFile(join(site, 'inventory', 'hosts.ini'), `[authentik]\n${hostName(0)}\n${hostName(1)}\n\n[authentik:vars]\nvault_addr=${bed.vault!.addr}\n`)
  await writeFile(join(home, '.ssh', 'config'), [
    ...bed.hosts.map((h, i) => `Host ${hostName(i)}\n  HostName ${h.address}\n  Port ${h.port}\n`),
    `Host authentik-*\n  User ${bed.user}\n  IdentityFile ${bed.keyFile}\n  UserKnownHostsFile ${bed.knownHostsPath}\n  StrictHostKeyChecking yes\n`,
  ].join(''), { mode: 0o600 })
  await writeFile(join(home, '.vault-token'), `${bed.vault!.operatorToken}\n`, { mode: 0o600 })
})

afterAll(async () => {
  await bed?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

// The package's own config.hcl template with its one logic block (the CA file, unused here) dropped:
// an override is logic-free (README "Template overrides").
async function writeOverride(fromInstall: string): Promise<void> {
  const ours = await readFile(join(fromInstall, 'templates', 'config.hcl.ejs'), 'utf8')
  const logicFree = ours.replace(/^<%#.*\n/m, '').replace(/^<% if [^\n]*\n[^\n]*\n<% } -%>\n/m, '')
  await writeFile(join(site, 'inventory', 'templates', 'config.hcl.ejs'), `${MARKER}\n${logicFree}`)
}

// setup --check --diff, setup and status on one host, as the README's first run says; returns the runs.
async function firstRun(run: (args: string[]) => Promise<CliRun>, host: number) {
  const check = await run(['setup', '--check', '--diff', '-l', hostName(host)])
  expect(check.code, check.stderr).toBe(0)
  expect(check.stdout).toContain(`=== ${hostName(host)}`)
  await expect(deployed(host, 'docker-compose.yml')).rejects.toThrow(/ENOENT/)
  const setup = await run(['setup', '-l', hostName(host), '--json', '--wait-timeout', '30s'])
  expect(setup.code, setup.stderr + setup.stdout).toBe(0)
  expect((JSON.parse(setup.stdout) as { hosts: { host: string; status: string }[] }).hosts).toMatchObject([{ host: hostName(host), status: 'changed' }])
  // the site's override, and the package's own templates for the other files
  expect(await deployed(host, 'vault/config/config.hcl')).toContain(MARKER)
  expect(await deployed(host, 'docker-compose.yml')).toContain('vault-agent')
  const status = await run(['status', '-l', hostName(host), '--json'])
  expect(status.code, status.stdout).toBe(0)
  expect((JSON.parse(status.stdout) as { hosts: { verdict: string }[] }).hosts.map((h) => h.verdict)).toEqual(['pass'])
  for (const r of [check, setup, status]) expect(r.stdout + r.stderr).not.toContain(bed.vault!.operatorToken)
}

it('SHA256SUMS checks both release files', () => {
  const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: releaseDir, encoding: 'utf8' })
  expect(out.trim().split('\n').sort()).toEqual([`${npmTarball}: OK`, `${selfContained}: OK`].sort())
})

describe('the self-contained tarball on a bastion without Node', () => {
  let prefix: string
  let env: NodeJS.ProcessEnv
  const hidden = () => [repoRoot, process.execPath]
  const authctl = (args: string[], input?: string) => onBastion(hidden(), ['authctl', ...args], { env, cwd: site, input })

  beforeAll(async () => {
    prefix = join(work, 'opt')
    const bin = join(work, 'usr-local-bin')
    await mkdir(prefix)
    await mkdir(bin)
    execFileSync('tar', ['-xzf', join(releaseDir, selfContained), '-C', prefix])
    // PATH: authctl linked as from /usr/local/bin, and readlink; no node
    await symlink(join(prefix, 'authctl', 'bin', 'authctl'), join(bin, 'authctl'))
    await symlink('/usr/bin/readlink', join(bin, 'readlink'))
    env = { PATH: bin, HOME: home, VAULT_ADDR: bed.vault!.addr, NO_COLOR: '1' }
    await writeOverride(join(prefix, 'authctl'))
  })

  it('unpacks to oclif\'s layout with the production modules only', () => {
    const top = join(prefix, 'authctl')
    expect(readdirSync(top).sort()).toEqual(['README.md', 'bin', 'dist', 'node_modules', 'oclif.manifest.json', 'package.json', 'templates'])
    expect(readdirSync(join(top, 'bin')).sort()).toEqual(['authctl', 'node', 'run.js'])
    const modules = readdirSync(join(top, 'node_modules'))
    for (const runtime of ['@oclif', 'ssh2', 'ejs', 'yaml', 'pg']) expect(modules).toContain(runtime)
    expect(readdirSync(join(top, 'node_modules', '@oclif')).sort()).toEqual(['core'])
    for (const dev of ['vitest', 'vite', 'typescript', 'eslint', 'tsx', 'oclif', 'node-ssh']) expect(modules).not.toContain(dev)
  })

  it('the bastion has neither node on PATH, nor the build machine\'s node, nor the repository', async () => {
    const r = await onBastion(hidden(), ['/bin/sh', '-c', 'command -v node && exit 1; "$1" -e "" 2>/dev/null && exit 2; [ -e "$2/package.json" ] && exit 3; exit 0', 'sh', process.execPath, repoRoot], { env, cwd: site })
    expect(r.code, r.stdout + r.stderr).toBe(0)
  })

  it('--version names the version, the commit it was built from and the Node inside', async () => {
    const commit = (await readFile(join(repoRoot, 'dist', 'commit.txt'), 'utf8')).trim()
    const r = await authctl(['--version'])
    expect(r.stdout).toBe(`authctl ${version} (commit ${commit}) node ${process.version} linux-x64\n`)
    expect(commit).toMatch(/^[0-9a-f]{12}|^v/)
  })

  it('runs setup --check --diff, setup and status from the site folder (default inventory path)', async () => {
    await firstRun((args) => authctl(args), 0)
  })

  it('bash completion offers commands, flags, and the inventory\'s hosts and groups for -l', async () => {
    const script = (await authctl(['completion', 'bash'])).stdout
    const tab = async (line: string) => {
      const words = line.split(' ')
      const r = await onBastion(hidden(), ['/bin/bash', '-c', `${script}\nCOMP_LINE="$1"; COMP_POINT=\${#1}; COMP_WORDS=($1); COMP_CWORD=$2; [[ $1 == *' ' ]] && COMP_WORDS+=(''); _authctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', line, String(words.length - 1)], { env, cwd: site })
      expect(r.code, r.stderr).toBe(0)
      return r.stdout.trim().split('\n').filter(Boolean)
    }
    expect(await tab('authctl se')).toEqual(['secrets', 'setup'])
    expect(await tab('authctl lock ')).toEqual(['release', 'status'])
    expect(await tab('authctl setup --ch')).toEqual(['--check'])
    expect(await tab('authctl setup -l ')).toEqual(['all', 'authentik', 'authentik-1', 'authentik-2'])
    expect(await tab(`authctl status -i ${join(site, 'inventory', 'hosts.ini')} -l authentik-`)).toEqual(['authentik-1', 'authentik-2'])
    // bash replaces only what follows the last ':' of the word
    expect(await tab('authctl setup -l authentik:!authentik-')).toEqual(['!authentik-1', '!authentik-2'])
  })

  it('zsh completion offers the same, through compadd', async () => {
    const script = (await authctl(['completion', 'zsh'])).stdout
    const tab = async (...words: string[]) => {
      // compadd and compdef stand in for the completion system: print what would be offered
      const stubs = 'compdef() { :; }; compadd() { while [[ $1 != -- ]]; do shift; done; shift; print -rl -- "$@"; }; _files() { print -r -- :files; }'
      const r = await onBastion(hidden(), ['/usr/bin/zsh', '-f', '-c', `${stubs}\n${script}\nwords=("$@"); CURRENT=$#; _authctl`, 'zsh', ...words], { env, cwd: site })
      return r.stdout.trim().split('\n').filter(Boolean)
    }
    expect(await tab('authctl', 'se')).toEqual(['secrets', 'setup'])
    expect(await tab('authctl', 'setup', '--di')).toEqual(['--diff'])
    expect(await tab('authctl', 'setup', '-l', 'authentik-')).toEqual(['authentik-1', 'authentik-2'])
    expect(await tab('authctl', 'setup', '-i', '')).toEqual([':files'])
  })

  it('a mistyped command says so, suggests the closest and runs nothing (exit 127), on a terminal or not', async () => {
    const r = await authctl(['stup'])
    expect(r.code).toBe(127)
    expect(r.stderr).toBe('Error: stup is not an authctl command. Did you mean: authctl setup?\nHint: Run authctl help for the list of commands.\n')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect((await authctl(['help', 'lock', 'status'])).stdout).toContain('authctl lock status')
    // on a terminal (script(1) gives it one) it asks nothing: Enter after a typo must not run the suggestion
    const tty = await onBastion(hidden(), ['/usr/bin/script', '-qec', 'authctl inventroy --graph', '/dev/null'], { env, cwd: site, input: 'y\r' })
    expect(tty.stdout).toContain('Did you mean: authctl inventory?')
    expect(tty.stdout).not.toContain('|--@authentik:')
  })
})

describe('the npm tarball installed with npm install -g --prefix', () => {
  let env: NodeJS.ProcessEnv
  const authctl = (args: string[]) => onBastion([repoRoot], ['authctl', ...args], { env, cwd: work })

  beforeAll(async () => {
    const installed = await npmInstall
    expect(installed.code, installed.stderr).toBe(0)
    const prefix = join(work, 'npm')
    env = { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: home, VAULT_ADDR: bed.vault!.addr, NO_COLOR: '1', AUTHCTL_INVENTORY: join(site, 'inventory', 'hosts.ini') }
    await writeOverride(join(prefix, 'lib', 'node_modules', 'authctl'))
  }, 300_000)

  it('--version names the version, the commit and the Node that runs it', async () => {
    const r = await authctl(['--version'])
    expect(r.stdout).toMatch(new RegExp(`^authctl ${version} \\(commit [0-9a-zv][^)]*\\) node ${process.version} linux-x64\\n$`))
  })

  it('runs setup --check --diff, setup and status from another folder (AUTHCTL_INVENTORY)', async () => {
    await firstRun((args) => authctl(args), 1)
  })

  it('no run printed the operator token', () => {
    expect(allOutputs.join('\n')).not.toContain(bed.vault!.operatorToken)
  })
})
