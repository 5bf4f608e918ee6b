// The SSH transport against a real OpenSSH sshd started here (root, 127.0.0.2, random port,
// everything in a temp dir), independent of the shared test bed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, HostFailedError, InterruptedError, UnreachableError } from '../../src/errors.js'
import { fingerprint } from '../../src/transport/known-hosts.js'
import { SshPool } from '../../src/transport/ssh-pool.js'
import { connectHost } from '../../src/transport/ssh-host.js'
import type { HostKeyPolicy, SshConnection, SshTarget } from '../../src/transport/ssh-types.js'
import { waitFor } from '../support/wait-for.js'

const LISTEN = '127.0.0.2'
let dir: string
let port: number
let sshd: ChildProcess | undefined
let agent: ChildProcess | undefined
const user = userInfo().username
const open: SshConnection[] = []

function keygen(name: string, type: 'ed25519' | 'ecdsa', passphrase = ''): { file: string; pub: string; blob: Buffer } {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-t', type, '-a', '4', '-N', passphrase, '-C', name, '-f', file])
  const pub = readFileSync(`${file}.pub`, 'utf8').trim()
  return { file, pub, blob: Buffer.from(pub.split(' ')[1] ?? '', 'base64') }
}

let hostEd: ReturnType<typeof keygen>
let hostEcdsa: ReturnType<typeof keygen>
let userKey: ReturnType<typeof keygen>
let wrongKey: ReturnType<typeof keygen>
let encKey: ReturnType<typeof keygen>

// Starts sshd on a random high port; retries another port if that one was taken.
async function startSshd(): Promise<void> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  for (let attempt = 0; attempt < 5; attempt++) {
    port = 20_000 + Math.floor(Math.random() * 40_000)
    const config = join(dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `ListenAddress ${LISTEN}`,
        `Port ${port}`,
        `HostKey ${hostEd.file}`,
        `HostKey ${hostEcdsa.file}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'LogLevel VERBOSE',
        // bash sources ~/.bashrc for sshd sessions only at SHLVL < 2; this machine's root .bashrc
        // runs `pyenv init` (~1.7 s per command), which real hosts do not have.
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    )
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    const ready = await new Promise<boolean>((resolve) => {
      let log = ''
      const timer = setTimeout(() => resolve(false), 10_000)
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString()
        if (log.includes(`Server listening on ${LISTEN} port ${port}`)) {
          clearTimeout(timer)
          resolve(true)
        }
      })
      child.on('exit', () => {
        clearTimeout(timer)
        resolve(false)
      })
    })
    if (ready) {
      sshd = child
      return
    }
    child.kill('SIGKILL')
  }
  throw new Error('sshd did not start')
}

// A port on 127.0.0.3 that nothing listens on: bind it, then let it go.
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.3', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

function target(extra: Partial<SshTarget> = {}): SshTarget {
  return { name: 'web1', host: LISTEN, port, user, privateKeyFile: userKey.file, agentSocket: '', ...extra }
}

// A known_hosts file with the given lines, in its own folder.
function knownHosts(name: string, lines: string[]): string {
  const file = join(dir, name, 'known_hosts')
  mkdirSync(join(dir, name), { recursive: true })
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''))
  return file
}

const hostLine = (key: { pub: string }): string => `[${LISTEN}]:${port} ${key.pub.split(' ').slice(0, 2).join(' ')}`

async function connect(t: SshTarget, policy: HostKeyPolicy): Promise<SshConnection> {
  const host = await connectHost(t, policy, { readyTimeoutMs: 10_000 })
  open.push(host)
  return host
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const result = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e as Error,
  )
  return result
}

let trusted: HostKeyPolicy
let shared: SshConnection

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authctl-ssh-'))
  hostEd = keygen('host_ed25519', 'ed25519')
  hostEcdsa = keygen('host_ecdsa', 'ecdsa')
  userKey = keygen('user_key', 'ed25519')
  wrongKey = keygen('wrong_key', 'ed25519')
  encKey = keygen('enc_key', 'ed25519', 'correct horse')
  writeFileSync(join(dir, 'authorized_keys'), `${userKey.pub}\n${encKey.pub}\n`)
  await startSshd()
  trusted = { knownHostsPath: knownHosts('trusted', [hostLine(hostEd)]), acceptNew: false }
  shared = await connect(target(), trusted)
})

afterAll(async () => {
  await Promise.allSettled(open.map((h) => h.close()))
  sshd?.kill('SIGTERM')
  agent?.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
})

describe('exec', () => {
  it('returns code, stdout and stderr untrimmed', async () => {
    const result = await shared.exec(['sh', '-c', 'printf "  out \\n\\n"; printf " err \\n" >&2; exit 7'])
    expect(result).toEqual({ stdout: '  out \n\n', stderr: ' err \n', code: 7, signal: null })
  })

  it('reports a command killed by a signal with code null and the signal name', async () => {
    const result = await shared.exec(['sh', '-c', 'printf partial; kill -TERM $$'])
    expect(result).toEqual({ stdout: 'partial', stderr: '', code: null, signal: 'SIGTERM' })
  })

  it('delivers stdin byte-exact, 1 MB included', async () => {
    const payload = randomBytes(1024 * 1024)
    const result = await shared.exec(['sh', '-c', 'tee /dev/null | sha256sum; wc -c < /dev/null'], { stdin: payload })
    expect(result.stdout.split(' ')[0]).toBe(createHash('sha256').update(payload).digest('hex'))
    const count = await shared.exec(['wc', '-c'], { stdin: payload })
    expect(count.stdout.trim()).toBe(String(payload.length))
    const text = 'ünïcødé 日本\n  trailing  \n\n'
    expect((await shared.exec(['cat'], { stdin: text })).stdout).toBe(text)
  })

  it('a command that ignores a large stdin still completes', async () => {
    const result = await shared.exec(['sh', '-c', 'exit 4'], { stdin: randomBytes(1024 * 1024) })
    expect(result.code).toBe(4)
    expect((await shared.exec(['echo', 'next'])).stdout).toBe('next\n')
  })

  it('passes argv literally: quotes, spaces, $(...), newlines, empty strings', async () => {
    const argv = ["it's", 'two  spaces', '$(touch /tmp/authctl-pwned)', '`id`', '$HOME', 'a\nb', '', '"dq"', '*', 'é日本', '\\']
    const result = await shared.exec(['printf', '%s\\0', ...argv])
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(argv)
    expect(existsSync('/tmp/authctl-pwned')).toBe(false)
  })

  it('runs concurrent commands as channels of one connection', async () => {
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => shared.exec(['sh', '-c', 'sleep 0.3; printf "%s %s" "$1" "${SSH_CLIENT%% 22}"', 'x', String(i)])),
    )
    expect(results.map((r) => r.stdout.split(' ')[0])).toEqual(Array.from({ length: 12 }, (_, i) => String(i)))
    // Same client address and source port for every command: one TCP connection.
    expect(new Set(results.map((r) => r.stdout.split(' ').slice(1).join(' '))).size).toBe(1)
    expect(Date.now() - started).toBeLessThan(12 * 300)
  })

  it('fails (not unreachable) a command that outlives its timeout and stays usable', async () => {
    const error = await refusal(shared.exec(['sleep', '5'], { timeoutMs: 300 }))
    expect(error).toBeInstanceOf(HostFailedError)
    expect(error.message).toMatch(/web1: remote command timed out after 300 ms: sleep 5/)
    expect((await shared.exec(['echo', 'still here'])).stdout).toBe('still here\n')
  })

  it('streams output line by line and cancels on abort, ending a remote command that waits for EOF', async () => {
    const lines: string[] = []
    const controller = new AbortController()
    // the shape logs -f uses: the remote side stops its follower when our stdin reaches EOF
    const script = 'for i in 1 2 3; do echo "line $i"; done; echo oops >&2; (while :; do sleep 0.1; done) & p=$!; cat >/dev/null; kill $p; echo stopped > "$1"'
    const marker = `/tmp/authctl-stream-${process.pid}`
    const run = shared.exec(['sh', '-c', script, 'x', marker], {
      holdStdin: true, signal: controller.signal,
      onLine: (stream, line) => {
        lines.push(`${stream}:${line}`)
        if (lines.length === 4) controller.abort()
      },
    })
    const error = await refusal(run)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(lines.sort()).toEqual(['stderr:oops', 'stdout:line 1', 'stdout:line 2', 'stdout:line 3'])
    // the remote process saw EOF and ended: its marker appears (the test bed's /tmp is the host's)
    await waitFor(() => existsSync(marker), 'the remote command to write its stop marker', 5_000, 100)
    expect(readFileSync(marker, 'utf8')).toBe('stopped\n')
    rmSync(marker, { force: true })
    expect((await shared.exec(['echo', 'still here'])).stdout).toBe('still here\n')
  })

  it('fails a command that sends more output than the cap, without buffering it all', async () => {
    const error = await refusal(shared.exec(['sh', '-c', 'head -c 3000000 /dev/zero'], { maxOutputBytes: 1_000_000 }))
    expect(error).toBeInstanceOf(HostFailedError)
    expect(error.message).toMatch(/web1: sent more than 1000000 bytes of output/)
    expect((await shared.exec(['echo', 'ok'])).stdout).toBe('ok\n')
  })

  it('rejects pending and later commands when the connection is lost', async () => {
    const host = await connect(target(), trusted)
    // Killing the command's parent (the sshd session process) drops this one connection.
    const error = await refusal(host.exec(['sh', '-c', 'kill -9 $PPID; sleep 5']))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toContain(`web1: SSH connection to ${LISTEN}:${port}`)
    expect(await refusal(host.exec(['true']))).toBeInstanceOf(UnreachableError)
  })

  it('measures the handshake and reports the served key fingerprint', () => {
    expect(shared.handshakeMs).toBeGreaterThan(0)
    expect(shared.handshakeMs).toBeLessThan(10_000)
    expect(shared.hostKeyFingerprint).toBe(fingerprint(hostEd.blob))
  })

  it('close() ends the connection; exec afterwards is refused', async () => {
    const host = await connect(target(), trusted)
    await host.close()
    expect(await refusal(host.exec(['true']))).toBeInstanceOf(UnreachableError)
  })
})

describe('host keys', () => {
  it('refuses an unknown key with its fingerprint and what to do, changing nothing', async () => {
    const file = knownHosts('empty', [])
    const error = await refusal(connect(target(), { knownHostsPath: file, acceptNew: false }))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toContain(`host key of ${LISTEN} port ${port}`)
    expect(error.message).toContain(fingerprint(hostEd.blob))
    expect(error.message).toContain('verify it and run with --accept-new-host-keys, or add it with ssh-keyscan')
    expect((error as UnreachableError).hint).toContain(`ssh-keyscan -p ${port} ${LISTEN}`)
    expect(readFileSync(file, 'utf8')).toBe('')
  })

  it('refuses a changed key, naming file:line and ssh-keygen -R, even with acceptNew', async () => {
    const file = knownHosts('changed', ['# first line', hostLine(wrongKey)])
    const before = readFileSync(file, 'utf8')
    for (const acceptNew of [false, true]) {
      const error = await refusal(connect(target(), { knownHostsPath: file, acceptNew }))
      expect(error).toBeInstanceOf(UnreachableError)
      expect(error.message).toContain('CHANGED')
      expect(error.message).toContain(fingerprint(hostEd.blob))
      expect(error.message).toContain(`${file}:2`)
      expect((error as UnreachableError).hint).toContain(`ssh-keygen -R '[${LISTEN}]:${port}' -f ${file}`)
    }
    expect(readFileSync(file, 'utf8')).toBe(before)
  })

  it('acceptNew appends one line (creating the file) and the next strict connect succeeds', async () => {
    const file = join(dir, 'fresh', 'sub', 'known_hosts')
    const first = await connect(target(), { knownHostsPath: file, acceptNew: true })
    expect(first.hostKeyFingerprint).toBe(fingerprint(hostEd.blob))
    const written = readFileSync(file, 'utf8')
    expect(written).toBe(`${hostLine(hostEd)}\n`)
    const found = execFileSync('ssh-keygen', ['-F', `[${LISTEN}]:${port}`, '-f', file], { encoding: 'utf8' })
    expect(found).toContain('found: line 1')
    const second = await connect(target(), { knownHostsPath: file, acceptNew: false })
    expect((await second.exec(['echo', 'ok'])).stdout).toBe('ok\n')
    expect(readFileSync(file, 'utf8')).toBe(written)
  })

  it('accepts a hashed known_hosts entry', async () => {
    const file = knownHosts('hashed', [hostLine(hostEd)])
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' })
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/)
    const host = await connect(target(), { knownHostsPath: file, acceptNew: false })
    expect(host.hostKeyFingerprint).toBe(fingerprint(hostEd.blob))
  })

  it('asks for the key type known_hosts holds (ecdsa here, though ed25519 is the default)', async () => {
    const file = knownHosts('ecdsa', [hostLine(hostEcdsa)])
    const host = await connect(target(), { knownHostsPath: file, acceptNew: false })
    expect(host.hostKeyFingerprint).toBe(fingerprint(hostEcdsa.blob))
  })

  it('refuses a key marked @revoked', async () => {
    const file = knownHosts('revoked', [hostLine(hostEd), `@revoked * ${hostEd.pub}`])
    const error = await refusal(connect(target(), { knownHostsPath: file, acceptNew: true }))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toContain(`@revoked in ${file}:2`)
  })
})

// in order: the first test starts the ssh-agent the second one loads a key into (the describes themselves are shuffled)
describe('authentication and reachability', { shuffle: false }, () => {
  it('a wrong key is UnreachableError listing everything tried', async () => {
    const sock = join(dir, 'agent.sock')
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' })
    await waitFor(() => existsSync(sock), 'the ssh-agent socket', 2_500, 50)
    const error = await refusal(connect(target({ privateKeyFile: wrongKey.file, agentSocket: sock }), trusted))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toContain(`SSH authentication as ${user} on ${LISTEN}:${port} failed`)
    expect(error.message).toContain(`key file ${wrongKey.file}`)
    expect(error.message).toContain(`ssh-agent at ${sock}`)
  })

  it('authenticates through ssh-agent alone', async () => {
    const sock = join(dir, 'agent.sock')
    execFileSync('ssh-add', ['-q', userKey.file], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' })
    const host = await connect(target({ privateKeyFile: undefined, agentSocket: sock }), trusted)
    expect((await host.exec(['whoami'])).stdout).toBe(`${user}\n`)
  })

  it('an encrypted key without passphrase is a ConfigError naming the file; with it, it works', async () => {
    const error = await refusal(connect(target({ privateKeyFile: encKey.file }), trusted))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toBe(`SSH private key ${encKey.file} is encrypted and no passphrase was given`)
    const host = await connect(target({ privateKeyFile: encKey.file, passphrase: 'correct horse' }), trusted)
    expect((await host.exec(['true'])).code).toBe(0)
  })

  it('connection refused names host:port', async () => {
    const closed = await closedPort()
    const error = await refusal(connect(target({ host: '127.0.0.3', port: closed }), trusted))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toBe(`web1: cannot connect to 127.0.0.3:${closed}: connection refused`)
  })
})

it('a silent TCP peer times out as UnreachableError naming host:port', async () => {
  const silent = createServer(() => undefined)
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.3', resolve))
  const address = silent.address()
  const silentPort = address !== null && typeof address !== 'string' ? address.port : 0
  try {
    const started = Date.now()
    const error = await refusal(connectHost(target({ host: '127.0.0.3', port: silentPort }), trusted, { readyTimeoutMs: 500 }))
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toBe(`web1: no SSH handshake with 127.0.0.3:${silentPort} within 500 ms (timed out)`)
    expect(Date.now() - started).toBeLessThan(5_000)
  } finally {
    silent.close()
  }
})

describe('SshPool', () => {
  it('connects in parallel, keeps unreachable hosts apart, closes all', async () => {
    const closed = await closedPort()
    const pool = new SshPool(trusted, { forks: 2, readyTimeoutMs: 10_000 })
    const results = await pool.connectAll([
      target({ name: 'a' }),
      target({ name: 'down', host: '127.0.0.3', port: closed }),
      target({ name: 'b' }),
    ])
    expect([...results.keys()]).toEqual(['a', 'down', 'b'])
    expect(results.get('down')).toBeInstanceOf(UnreachableError)
    const a = pool.get('a')
    expect(a).toBe(results.get('a'))
    expect((await a?.exec(['echo', 'a']))?.stdout).toBe('a\n')
    expect(pool.get('down')).toBeUndefined()
    // A second connectAll reuses the open connection.
    expect((await pool.connectAll([target({ name: 'a' })])).get('a')).toBe(a)
    await pool.closeAll()
    expect(pool.get('a')).toBeUndefined()
    expect(await refusal(a?.exec(['true']) ?? Promise.resolve())).toBeInstanceOf(UnreachableError)
  })

  it('a bad key file fails the whole connect as ConfigError', async () => {
    const pool = new SshPool(trusted)
    const error = await refusal(pool.connectAll([target({ name: 'a' }), target({ name: 'b', privateKeyFile: join(dir, 'missing') })]))
    expect(error).toBeInstanceOf(ConfigError)
    expect(pool.get('a')).toBeUndefined()
  })
})
