// The config parser and evaluator, rule by rule: line syntax, keyword values, first-wins,
// Host/Match patterns, Include (anchoring, globs, never-match, depth), tokens and errors naming path:line.
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { loadSshConfig, sshConfigPath } from '../../../src/transport/ssh-config.js'
import { argvSplit, splitConfigLine } from '../../../src/transport/ssh-config-lex.js'
import { hostLineMatches, matchPatternList } from '../../../src/transport/ssh-config-match.js'
import { resolveHostOptions } from '../../../src/transport/ssh-config-resolve.js'
import { expandPath } from '../../../src/transport/ssh-config-tokens.js'
import { parseJumpList, parseTime } from '../../../src/transport/ssh-config-values.js'
import { scratchHome } from './ssh-config-fixture.js'

async function resolveText(text: string, host: string, files: Record<string, string> = {}) {
  const home = scratchHome({ config: text, ...files })
  const config = await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home })
  return { home, o: resolveHostOptions(config, host, { localUser: 'me' }) }
}

async function loadError(text: string, files: Record<string, string> = {}): Promise<ConfigError> {
  const home = scratchHome({ config: text, ...files })
  const error = await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home }).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('line splitting (strdelim + argv_split)', () => {
  it.each([
    ['Host a b', { keyword: 'host', rest: 'a b' }],
    ['  HOSTNAME=x', { keyword: 'hostname', rest: 'x' }],
    ['Port = 22', { keyword: 'port', rest: '22' }],
    ['User= bob  \t', { keyword: 'user', rest: 'bob' }],
    ['Port==2', { keyword: 'port', rest: '=2' }],
    ['\tIdentityFile "~/my key"', { keyword: 'identityfile', rest: '"~/my key"' }],
    ['# comment', undefined],
    ['   ', undefined],
  ])('%j', (line, expected) => expect(splitConfigLine(line)).toEqual(expected))

  it.each([
    ['a b', ['a', 'b']],
    ['"two words" x', ['two words', 'x']],
    ["'single' \"dq\"", ['single', 'dq']],
    ['a\\ b', ['a b']],
    ['a\\x', ['a\\x']],
    ['h#x # tail', ['h#x']],
    ['a"b c"d', ['ab cd']],
  ])('argv %j', (text, expected) => expect(argvSplit(text)).toEqual(expected))
})

describe('values', () => {
  it.each([['30', 30], ['1m30s', 90], ['2h', 7200], ['1w1d', 691200], ['5x', undefined], ['', undefined], ['m', undefined]])('time %j', (t, s) => expect(parseTime(t)).toBe(s))
  it.each([
    ['bastion', [{ host: 'bastion' }]],
    ['u@b:2222', [{ user: 'u', host: 'b', port: 2222 }]],
    ['a,u@b:1', [{ host: 'a' }, { user: 'u', host: 'b', port: 1 }]],
    ['[::1]:23', [{ host: '::1', port: 23 }]],
    ['ssh://c@d:24', [{ user: 'c', host: 'd', port: 24 }]],
    ['a@b@c', [{ user: 'a@b', host: 'c' }]],
    ['none', 'none'],
    ['NONE', 'none'],
    ['b:0', undefined],
    ['@b', undefined],
    ['b:x', undefined],
  ])('jump list %j', (text, expected) => expect(parseJumpList(text)).toEqual(expected))
})

describe('patterns', () => {
  it.each([
    [['authentik-*'], 'authentik-1', true],
    [['authentik-?'], 'authentik-10', false],
    [['a', 'b'], 'b', true],
    [['*', '!bad'], 'bad', false],
    [['!bad', '*'], 'good', true],
    [['!bad'], 'good', false],
    [['Foo'], 'foo', false],
    [['a,b'], 'a', false],
    [['*.ex'], 'x.ex', true],
  ])('Host %j vs %s', (patterns, host, expected) => expect(hostLineMatches(patterns, host)).toBe(expected))

  it.each([
    ['10.1.2.3', '10.1.*.*,!10.1.9.*', true],
    ['10.1.9.3', '10.1.*.*,!10.1.9.*', false],
    ['web', 'WEB', true],
    ['x', '!y', false],
  ])('pattern list %s %s', (text, list, expected) => expect(matchPatternList(text, list, true)).toBe(expected))
})

describe('first obtained value wins; IdentityFile accumulates', () => {
  it.each([
    ['Host x\n User a\nHost *\n User b\n', 'x', 'user', 'a'],
    ['Host *\n User b\nHost x\n User a\n', 'x', 'user', 'b'],
    ['Host x\n Port 1\n Port 2\n', 'x', 'port', 1],
    ['Host y\n Port 1\nHost *\n Port 2\n', 'x', 'port', 2],
    ['Port 5\nHost x\n Port 6\n', 'x', 'port', 5],
    ['Host x\n ConnectTimeout none\n ConnectTimeout 7\n', 'x', 'connectTimeout', 7],
    ['Host x\n ServerAliveInterval 1m\n', 'x', 'serverAliveInterval', 60],
    ['Host x\n IdentitiesOnly TRUE\n', 'x', 'identitiesOnly', true],
    ['Host x\n StrictHostKeyChecking off\n', 'x', 'strictHostKeyChecking', 'no'],
    ['Host x\n UserKnownHostsFile /a /b\n UserKnownHostsFile /c\n', 'x', 'userKnownHostsFiles', ['/a', '/b']],
    ['Host x\n HostName %h.example\n', 'x', 'hostName', '%h.example'],
    ['host X\n USER=up\n', 'X', 'user', 'up'],
    ['Host x\n Compression yes\n FutureKeyword whatever\n User u\n', 'x', 'user', 'u'],
  ])('%j → %s.%s', async (text, host, key, value) => {
    const { o } = await resolveText(text, host)
    expect((o as unknown as Record<string, { value: unknown } | undefined>)[key]?.value).toEqual(value)
  })

  it('IdentityFile lines from every matching block accumulate, duplicates dropped, in order', async () => {
    const { o } = await resolveText('Host x\n IdentityFile ~/a\n IdentityFile ~/b\nHost *\n IdentityFile ~/a\n IdentityFile ~/c\n', 'x')
    expect(o.identityFiles.map((f) => f.value)).toEqual(['~/a', '~/b', '~/c'])
    expect(o.identityFiles[2]?.origin).toMatch(/\.ssh\/config:6$/)
  })

  it.each([
    ['ProxyJump a\nProxyCommand ssh -W %h:%p b\n', { proxyJump: [{ host: 'a' }], proxyCommand: 'none' }],
    ['ProxyCommand ssh -W %h:%p b\nProxyJump a\n', { proxyJump: undefined, proxyCommand: 'ssh -W %h:%p b' }],
    ['ProxyJump none\nProxyJump a\n', { proxyJump: 'none', proxyCommand: undefined }],
    ['ProxyJump none\nProxyCommand c\n', { proxyJump: 'none', proxyCommand: 'c' }],
    ['ProxyCommand none\nProxyJump a\n', { proxyJump: undefined, proxyCommand: 'none' }],
  ])('ProxyJump/ProxyCommand share one slot: %j', async (text, expected) => {
    const { o } = await resolveText(text, 'x')
    expect({ proxyJump: o.proxyJump?.value, proxyCommand: o.proxyCommand?.value }).toEqual(expected)
  })
})

describe('Match', () => {
  it.each([
    ['Match all\n User a\n', 'x', 'a'],
    ['Match !all\n User a\n', 'x', undefined],
    ['Host x\n HostName real.example\nMatch host real.*\n User a\n', 'x', 'a'],
    ['Match host real.*\n User a\nHost x\n HostName real.example\n', 'x', undefined],
    ['Match originalhost x\n User a\n', 'x', 'a'],
    ['Match !host x\n User a\n', 'x', undefined],
    ['Match user me\n User a\n', 'x', 'a'],
    ['Match localuser me host y\n User a\n', 'x', undefined],
    ['Match host x exec "false"\n User a\n', 'y', undefined],
    ['Match canonical\n User a\n', 'x', undefined],
    ['Host x\n HostName h.example\nMatch final host h.example\n User a\n', 'x', 'a'],
  ])('%j for %s → User %s', async (text, host, user) => {
    const { o } = await resolveText(text, host)
    expect(o.user?.value).toBe(user)
  })

  it('Match exec that could decide the result is refused, naming path:line and the host', async () => {
    const home = scratchHome({ config: 'Host a\n Port 1\nMatch exec "test -f x"\n User a\n' })
    const config = await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home })
    expect(() => resolveHostOptions(config, 'web1', { localUser: 'me' })).toThrow(/config:3: Match exec is not supported by authctl \(it applies while resolving web1\)/)
  })

  it.each([
    ['Match\n', /config:1: no argument after keyword "match"/],
    ['Match host\n', /config:1: Missing Match criteria for host/],
    ['Match all host x\n', /config:1: 'all' cannot be combined/],
    ['Match address 1.2.3.4\n', /config:1: Unsupported Match attribute address/],
  ])('%j is a ConfigError', async (text, message) => {
    expect((await loadError(text)).message).toMatch(message)
  })
})

describe('Include', () => {
  it('is relative to ~/.ssh, globs in sorted order, skips dotfiles and missing files', async () => {
    const { o } = await resolveText('Include conf.d/*.conf missing.conf ~/.ssh/tilde.conf\n', 'x', {
      'conf.d/b.conf': 'IdentityFile /b\n',
      'conf.d/a.conf': 'IdentityFile /a\n',
      'conf.d/.h.conf': 'IdentityFile /hidden\n',
      'tilde.conf': 'IdentityFile /t\n',
    })
    expect(o.identityFiles.map((f) => f.value)).toEqual(['/a', '/b', '/t'])
  })

  it('inside an inactive Host block nothing of the included file applies, and the block state is restored after', async () => {
    const files = { 'inc.conf': 'Host *\n Port 9\n' }
    expect((await resolveText('Host other\n Include inc.conf\nPort 2\n', 'x', files)).o.port).toBeUndefined()
    expect((await resolveText('Host x\n Include inc.conf\n User u\n', 'x', files)).o).toMatchObject({ port: { value: 9 }, user: { value: 'u' } })
    expect((await resolveText('Host x\n Include inc.conf\n User u\n', 'y', files)).o.user).toBeUndefined()
  })

  it('recursion stops at depth 16 with a ConfigError', async () => {
    expect((await loadError('Include config\n')).message).toMatch(/too many recursive configuration includes/)
  })

  it('an included file writable by others is refused like ssh does', async () => {
    const home = scratchHome({ config: 'Include inc.conf\n', 'inc.conf': 'Port 1\n' })
    chmodSync(join(home, '.ssh', 'inc.conf'), 0o666)
    await expect(loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home })).rejects.toThrow(/Bad owner or permissions on .*inc\.conf/)
  })

  it('a glob matching a directory entry via symlink still reads the file', async () => {
    const home = scratchHome({ config: 'Include l*.conf\n', 'real.txt': 'Port 4\n' })
    symlinkSync(join(home, '.ssh', 'real.txt'), join(home, '.ssh', 'link.conf'))
    const config = await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home })
    expect(resolveHostOptions(config, 'x', { localUser: 'me' }).port?.value).toBe(4)
  })
})

describe('errors name path:line', () => {
  it.each([
    ['Host x\n Port\n', /config:2: no argument after keyword "Port"/],
    ['Host x\n Port 0\n', /config:2: Bad port "0"/],
    ['Host x\n Port 1 2\n', /config:2: Port: extra arguments/],
    ['Host x\n User "unterminated\n', /config:2: invalid quotes/],
    ['IdentitiesOnly maybe\n', /config:1: IdentitiesOnly: unsupported option "maybe"/],
    ['StrictHostKeyChecking sometimes\n', /config:1: StrictHostKeyChecking: unsupported option/],
    ['ConnectTimeout 5x\n', /config:1: ConnectTimeout: invalid time value/],
    ['ProxyJump a@\n', /config:1: ProxyJump: invalid jump list/],
    ['UserKnownHostsFile none /x\n', /config:1: UserKnownHostsFile: "none" must appear alone/],
    ['Host ""\n', /config:1: keyword host empty argument/],
    ['\n\nHost\n', /config:3: no argument after keyword "host"/],
  ])('%j', async (text, message) => {
    expect((await loadError(text)).message).toMatch(message)
  })

  it('a missing -F file is a ConfigError; a missing default file is an empty config; -F none reads nothing', async () => {
    const home = scratchHome({})
    await expect(loadSshConfig(join(home, 'nope'), { homeDir: home })).rejects.toThrow(/cannot read ssh config .*nope/)
    expect(await loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home })).toEqual({ files: [] })
    expect(await loadSshConfig('none', { homeDir: home })).toEqual({ files: [] })
  })

  it('the default ~/.ssh/config must not be writable by others; an explicit -F file is not checked (as ssh)', async () => {
    const home = scratchHome({ config: 'Port 1\n' })
    const path = join(home, '.ssh', 'config')
    chmodSync(path, 0o664)
    await expect(loadSshConfig(path, { homeDir: home })).rejects.toThrow(/Bad owner or permissions/)
    writeFileSync(join(home, 'f'), 'Port 1\n')
    chmodSync(join(home, 'f'), 0o666)
    expect((await loadSshConfig(join(home, 'f'), { homeDir: home })).files).toHaveLength(1)
  })
})

describe('which file', () => {
  it.each([
    [{ flag: '/f', env: { AUTHCTL_SSH_CONFIG: '/e' } }, { path: '/f', required: true }],
    [{ env: { AUTHCTL_SSH_CONFIG: '/e' } }, { path: '/e', required: true }],
    [{ env: {} }, { path: '/home/u/.ssh/config', required: false }],
  ])('%j', (opts, expected) => expect(sshConfigPath({ ...opts, homeDir: '/home/u' })).toEqual(expected))
})

describe('tokens', () => {
  const ctx = { homeDir: '/home/me', localUser: 'me', host: 'h.example', originalHost: 'h', remoteUser: 'deploy', port: 2222, env: { KEYS: '/keys' }, localHostName: 'box.local' }
  it.each([
    ['~/.ssh/id_%h', '/home/me/.ssh/id_h.example'],
    ['%d/%u/%r/%n/%p/%%', '/home/me/me/deploy/h/2222/%'],
    ['%l-%L', 'box.local-box'],
    ['${KEYS}/k', '/keys/k'],
    ['~', '/home/me'],
    ['~other/k', '~other/k'],
  ])('%s → %s', (template, expected) => expect(expandPath(template, ctx, 'f:1')).toBe(expected))
  it.each([['%z', /f:1: unknown token %z/], ['${NOPE}', /f:1: environment variable \$\{NOPE\} is not set/]])('%s is an error', (t, m) => {
    expect(() => expandPath(t, ctx, 'f:1')).toThrow(m)
  })
})
