// The remote scripts are constant POSIX sh run with data as "$@": run them here with /bin/sh on real
// files to prove what they do (the integration tests run them over SSH on the test bed).
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hostPaths } from '../../../src/stack/host-paths.js'
import { parseState } from '../../../src/remote/parse-state.js'
import { CONVERGE_EXIT, convergeArgv } from '../../../src/remote/converge-script.js'
import { releaseArgv } from '../../../src/remote/release-script.js'
import { stateArgv } from '../../../src/remote/state-script.js'
import { writeConvergeArgv } from '../../../src/remote/write-converge-script.js'
import { WRITE_SCRIPT, writeArgv } from '../../../src/remote/write-script.js'

// Runs a rootScript argv locally without its `sudo -n --` prefix.
function runLocal(argv: string[], stdin?: Buffer, env: NodeJS.ProcessEnv = process.env) {
  expect(argv.slice(0, 3)).toEqual(['sudo', '-n', '--'])
  const [file, ...args] = argv.slice(3) as [string, ...string[]]
  const r = spawnSync(file, args, { input: stdin, env })
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), code: r.status }
}

function fakeDocker(dir: string, composeWorks = true): NodeJS.ProcessEnv {
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'docker'), composeWorks ? '#!/bin/sh\n[ "$2" = version ] && echo 2.29.7\nexit 0\n' : '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2; exit 1\n', { mode: 0o755 })
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
}

describe('write script', () => {
  it('writes files atomically with mode and owner, contents from stdin only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const a = Buffer.from("secret 'quoted' $HOME\n")
    const b = Buffer.from('second file, no newline')
    const { argv, stdin } = writeArgv(
      [{ path: join(dir, 'cfg'), mode: 0o700, uid: 100, gid: 1000 }],
      [
        { path: join(dir, 'cfg', 'secret-id'), mode: 0o400, uid: 100, gid: 1000, content: a },
        { path: join(dir, 'compose.yml'), mode: 0o644, uid: 0, gid: 0, content: b },
      ],
    )
    expect(argv.join(' ')).not.toContain('quoted')
    const r = runLocal(argv, stdin)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, 'cfg', 'secret-id'))).toEqual(a)
    expect(readFileSync(join(dir, 'compose.yml'))).toEqual(b)
    const s = statSync(join(dir, 'cfg', 'secret-id'))
    expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o400, 100, 1000])
    expect((statSync(join(dir, 'cfg')).mode & 0o7777).toString(8)).toBe('700')
    expect(readdirSync(join(dir, 'cfg'))).toEqual(['secret-id'])
  })

  it('leaves the old file whole when the stream is cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    writeFileSync(join(dir, 'f'), 'old content')
    const { argv, stdin } = writeArgv([], [{ path: join(dir, 'f'), mode: 0o644, uid: 0, gid: 0, content: Buffer.from('new content that is longer') }])
    const r = runLocal(argv, stdin.subarray(0, 5))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('short read')
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('old content')
    expect(readdirSync(dir)).toEqual(['f'])
  })
})

describe('write script on hostile ground', () => {
  // A folder with an owner and mode, made as root (these tests run as root, like the script).
  function folder(path: string, mode: number, uid = 0, gid = 0): string {
    mkdirSync(path)
    chownSync(path, uid, gid)
    chmodSync(path, mode)
    return path
  }
  const file = (path: string, mode = 0o644) => ({ path, mode, uid: 0, gid: 0, content: Buffer.from('new\n') })

  it('builds the exact argv: sudo, the constant script, then d/f groups; contents only on stdin', () => {
    const { argv, stdin } = writeArgv(
      [{ path: '/data/authentik', mode: 0o755, uid: 0, gid: 0 }],
      [{ path: '/data/authentik/vault/config/secret-id', mode: 0o400, uid: 100, gid: 1000, content: Buffer.from('s3cret') }],
    )
    expect(argv).toEqual(['sudo', '-n', '--', 'sh', '-c', WRITE_SCRIPT, 'authctl-write', 'd', '0755', '0', '0', '/data/authentik', 'f', '0400', '100', '1000', '6', '/data/authentik/vault/config/secret-id'])
    expect(stdin.toString()).toBe('s3cret')
    expect(WRITE_SCRIPT).toContain('mv -f -T -- "$tmp" "$target"')
  })

  it('refuses to rename into a directory planted where a file belongs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    mkdirSync(join(dir, 'compose.yml'))
    writeFileSync(join(dir, 'compose.yml', 'planted'), 'x')
    const r = runLocal(writeArgv([], [file(join(dir, 'compose.yml'))]).argv, Buffer.from('new\n'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${join(dir, 'compose.yml')} is a folder where a file belongs`)
    expect(readdirSync(join(dir, 'compose.yml'))).toEqual(['planted'])
    expect(readdirSync(dir)).toEqual(['compose.yml'])
  })

  it('replaces a planted symlink instead of writing through it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    writeFileSync(join(dir, 'elsewhere'), 'keep\n')
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'compose.yml'))
    const r = runLocal(writeArgv([], [file(join(dir, 'compose.yml'))]).argv, Buffer.from('new\n'))
    expect(r.stderr).toBe('')
    expect(lstatSync(join(dir, 'compose.yml')).isFile()).toBe(true)
    expect(readFileSync(join(dir, 'compose.yml'), 'utf8')).toBe('new\n')
    expect(readFileSync(join(dir, 'elsewhere'), 'utf8')).toBe('keep\n')
  })

  // PATH with logging wrappers around tools: each call's last argument goes to the log, then the real tool runs.
  function logged(dir: string, tools: readonly string[]): { env: NodeJS.ProcessEnv; calls: () => string[] } {
    const bin = folder(join(dir, 'bin'), 0o755)
    const log = join(dir, 'calls')
    for (const tool of tools) {
      const real = spawnSync('sh', ['-c', `command -v ${tool}`]).stdout.toString().trim()
      writeFileSync(join(bin, tool), `#!/bin/sh\nfor last; do :; done\nprintf '%s %s\\n' ${tool} "$last" >> ${log}\nexec ${real} "$@"\n`, { mode: 0o755 })
    }
    return { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, calls: () => readFileSync(log, 'utf8').trim().split('\n') }
  }

  it('runs chown, chmod and install only on names in folders no other uid can change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const { env, calls } = logged(dir, ['chown', 'chmod', 'install'])
    const root = join(dir, 'authentik')
    // vault/config as on a host: the agent's uid owns it, root owns the folder above
    const { argv, stdin } = writeArgv(
      [{ path: root, mode: 0o755, uid: 0, gid: 0 }, { path: join(root, 'vault'), mode: 0o750, uid: 0, gid: 0 }, { path: join(root, 'vault/config'), mode: 0o700, uid: 100, gid: 1000 }],
      [{ ...file(join(root, 'vault/config/secret-id'), 0o400), uid: 100, gid: 1000 }, file(join(root, 'docker-compose.yml'))],
    )
    const r = runLocal(argv, stdin, env)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const paths = calls().map((c) => c.slice(c.indexOf(' ') + 1))
    expect(paths.length).toBe(7)
    for (const path of paths) {
      const parent = statSync(dirname(path))
      expect([path, parent.uid, parent.mode & 0o022]).toEqual([path, 0, 0])
    }
    const s = statSync(join(root, 'vault/config/secret-id'))
    expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o400, 100, 1000])
    expect(readdirSync(join(root, 'vault')).sort()).toEqual(['config'])
  })

  it('checks who owns each folder once for all the files written into it, not once a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const root = folder(join(dir, 'authentik'), 0o755)
    const sub = folder(join(root, 'sub'), 0o755)
    const { env, calls } = logged(dir, ['stat', 'readlink'])
    // the folders alternate, as setup's files do
    const { argv, stdin } = writeArgv([], [join(root, 'a'), join(sub, 'c'), join(root, 'b'), join(sub, 'd')].map((p) => file(p)))
    const r = runLocal(argv, stdin, env)
    expect([r.code, r.stderr]).toEqual([0, ''])
    // one stat a level from the first folder up to /, then one for sub (its parent is known by then)
    const levels = root.split('/').length
    const above = Array.from({ length: levels }, (_, i) => `stat ${root.split('/').slice(0, levels - i).join('/') || '/'}`)
    expect(calls().filter((c) => c.startsWith('stat ')).sort()).toEqual([...above, `stat ${sub}`].sort())
    expect(calls().filter((c) => c.startsWith('readlink '))).toEqual([`readlink ${root}`, `readlink ${sub}`])
    expect(['a', 'b', 'sub/c', 'sub/d'].map((n) => readFileSync(join(root, n), 'utf8'))).toEqual(['new\n', 'new\n', 'new\n', 'new\n'])
  })

  it('a folder handed to another uid during the run is not trusted from an earlier check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const root = folder(join(dir, 'authentik'), 0o755)
    const config = folder(join(root, 'config'), 0o700)
    const { env, calls } = logged(dir, ['chmod'])
    // a file into config while root owns it, then config handed to uid 100, then another file into it
    const args = ['f', '0644', '0', '0', '4', join(config, 'one'), 'd', '0700', '100', '1000', config, 'f', '0400', '100', '1000', '4', join(config, 'two')]
    const r = spawnSync('sh', ['-c', WRITE_SCRIPT, 'authctl-write', ...args], { input: Buffer.from('new\nnew\n'), env })
    expect([r.status, r.stderr.toString()]).toEqual([0, ''])
    const staged = calls().map((c) => c.slice('chmod '.length))
    expect(staged.map((t) => dirname(t))).toEqual([config, root])
    const s = statSync(join(config, 'two'))
    expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o400, 100, 1000])
  })

  it('refuses a file whose folder and the folder above it belong to another uid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const theirs = folder(join(folder(join(dir, 'u'), 0o755, 1000, 1000), 'sub'), 0o755, 1000, 1000)
    const r = runLocal(writeArgv([], [file(join(theirs, 'f'))]).argv, Buffer.from('new\n'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`neither ${theirs} nor the folder above it is root's alone`)
    expect(readdirSync(theirs)).toEqual([])
    expect(readdirSync(join(dir, 'u'))).toEqual(['sub'])
  })

  it('refuses to create or take over a folder other users can write to, and keeps its sticky bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const shared = folder(join(dir, 'shared'), 0o777)
    const under = runLocal(writeArgv([{ path: join(shared, 'authentik'), mode: 0o755, uid: 0, gid: 0 }], []).argv)
    expect(under.code).toBe(1)
    expect(under.stderr).toContain(`${shared} can be changed by a user other than root`)
    expect(readdirSync(shared)).toEqual([])
    const copyOfTmp = folder(join(dir, 'tmp'), 0o1777)
    const takeOver = runLocal(writeArgv([{ path: copyOfTmp, mode: 0o755, uid: 0, gid: 0 }], []).argv)
    expect(takeOver.code).toBe(1)
    expect(takeOver.stderr).toContain(`${copyOfTmp} is writable by other users`)
    expect(statSync(copyOfTmp).mode & 0o7777).toBe(0o1777)
  })

  it('refuses a folder path that is a symlink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-write-'))
    const etc = folder(join(dir, 'etc'), 0o755)
    symlinkSync(etc, join(dir, 'authentik'))
    const r = runLocal(writeArgv([{ path: join(dir, 'authentik'), mode: 0o700, uid: 100, gid: 1000 }], []).argv)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${join(dir, 'authentik')} is a symbolic link`)
    const s = statSync(etc)
    expect([s.mode & 0o7777, s.uid]).toEqual([0o755, 0])
  })
})

describe('write script with the lock (the write trip of a run that locks only when it changes something)', () => {
  const sha = (t: string) => createHash('sha256').update(t).digest('hex')
  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-lockwrite-'))
    writeFileSync(join(dir, 'f'), 'as read')
    const lock = { dir: join(dir, 'authctl.lock'), details: '{"pid":1}', expect: [{ path: join(dir, 'f'), sha256: sha('as read') }, { path: join(dir, 'absent'), sha256: '-' }] }
    const file = { path: join(dir, 'f'), mode: 0o644, uid: 0, gid: 0, content: Buffer.from('new') }
    return { dir, lock, file }
  }

  it('takes the lock, re-checks what the state read saw, then writes', () => {
    const { dir, lock, file } = setup()
    const { argv, stdin } = writeArgv([], [file], lock)
    const r = runLocal(argv, stdin)
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('new')
    expect(readFileSync(join(lock.dir, 'details.json'), 'utf8')).toBe('{"pid":1}\n')
    // a second write of the same run finds the lock its own
    const again = writeArgv([], [{ ...file, content: Buffer.from('newer') }], { ...lock, expect: [] })
    expect(runLocal(again.argv, again.stdin).code).toBe(0)
  })

  it('writes nothing when a file changed since the state read, and says which (exit 4)', () => {
    const { dir, lock, file } = setup()
    writeFileSync(join(dir, 'f'), 'changed by another run')
    const { argv, stdin } = writeArgv([], [file], lock)
    const r = runLocal(argv, stdin)
    expect(r.code).toBe(4)
    expect(r.stdout).toBe(`changed\t${join(dir, 'f')}\n`)
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('changed by another run')
    // a path that appeared where the read saw none counts too
    const { dir: d2, lock: l2, file: f2 } = setup()
    writeFileSync(join(d2, 'absent'), 'x')
    expect(runLocal(writeArgv([], [f2], l2).argv, Buffer.from('new')).code).toBe(4)
  })

  it('writes nothing when another run holds the lock (exit 3), naming the holder', () => {
    const { dir, lock, file } = setup()
    mkdirSync(lock.dir)
    writeFileSync(join(lock.dir, 'details.json'), '{"pid":2}\n')
    const { argv, stdin } = writeArgv([], [file], lock)
    const r = runLocal(argv, stdin)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('locked\t{"pid":2}\n')
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('as read')
  })
})

describe('state script', () => {
  it('takes the lock, reports files, dirs and missing paths, and refuses a held lock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-state-'))
    const env = fakeDocker(dir)
    const paths = hostPaths(join(dir, 'authentik'))
    mkdirSync(join(paths.root, 'vault', 'config'), { recursive: true })
    writeFileSync(join(paths.root, 'vault', 'config', 'role-id'), 'abc', { mode: 0o400 })
    writeFileSync(paths.secretIdAccessor, 'acc-123\n')
    const targets = [join(paths.root, 'vault', 'config', 'role-id'), join(paths.root, 'vault'), join(paths.root, 'nope')]
    const cmd = stateArgv({ paths, project: 'authentik', lockDetails: '{"pid":1}', lock: 'take', targets })
    const r = runLocal(cmd, undefined, env)
    expect(r.code).toBe(0)
    const state = parseState('h1', r)
    expect(state.composeVersion).toBe('2.29.7')
    expect(state.paths.get(targets[0]!)).toEqual({ kind: 'file', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', mode: 0o400, uid: 0, gid: 0 })
    expect(state.paths.get(targets[1]!)?.kind).toBe('dir')
    expect(state.paths.get(targets[2]!)).toBeUndefined()
    expect(state.secretIdAccessor).toBe('acc-123')
    expect(readFileSync(paths.lockDetails, 'utf8')).toBe('{"pid":1}\n')

    const again = runLocal(stateArgv({ paths, project: 'authentik', lockDetails: '{"pid":2}', lock: 'take', targets }), undefined, env)
    expect(again.code).toBe(3)
    expect(() => parseState('h1', again)).toThrow(/h1: the deploy lock is held \(\{"pid":1\}\)/)

    // release only frees our own lock, and appends audit lines
    const foreign = runLocal(releaseArgv(paths, '{"pid":2}', []))
    expect(foreign.stderr).toContain('lock not ours')
    expect(statSync(paths.lockDir).isDirectory()).toBe(true)
    runLocal(releaseArgv(paths, '{"pid":1}', ['{"a":1}', '{"b":2}']))
    expect(() => statSync(paths.lockDir)).toThrow()
    expect(readFileSync(paths.auditLog, 'utf8')).toBe('{"a":1}\n{"b":2}\n')
  })

  it('reports a broken docker compose as a host failure with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-state-'))
    const env = fakeDocker(dir, false)
    const r = runLocal(stateArgv({ paths: hostPaths(join(dir, 'a')), project: 'p', lockDetails: '{}', lock: 'take', targets: [] }), undefined, env)
    expect(() => parseState('h2', r)).toThrow(/h2: docker compose does not work: Cannot connect to the Docker daemon/)
  })

  it('on a deployed host one ps call both proves compose works and lists the services', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-state-'))
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls"\necho \'WARN obsolete version\' >&2\necho \'{"Service":"server","State":"running","Health":"healthy"}\'\n', { mode: 0o755 })
    const paths = hostPaths(join(dir, 'a'))
    mkdirSync(paths.root)
    writeFileSync(paths.composeFile, 'services: {}\n')
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
    const state = parseState('h', runLocal(stateArgv({ paths, project: 'p', lockDetails: '{}', lock: 'take', targets: [] }), undefined, env))
    expect(state.services).toEqual([{ service: 'server', state: 'running', health: 'healthy' }])
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toBe(`compose -f ${paths.composeFile} -p p ps -a --format json\n`)
  })
})

describe('converge script: the .env and tmpfs checks', () => {
  // docker as a script: `exec` prints $FS and exits $RC; every call is logged
  function run(fs: string, rc: number) {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-converge-'))
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    const log = join(dir, 'docker.log')
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${log}\ncase " $* " in *" exec "*) [ -n "$FS" ] && echo "$FS"; exit "$RC" ;; esac\nexit 0\n`, { mode: 0o755 })
    const argv = convergeArgv({ paths: hostPaths(dir), project: 'authentik', up: true, groups: [], waitSeconds: 5 })
    const r = runLocal(argv, undefined, { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FS: fs, RC: String(rc) })
    const calls = readFileSync(log, 'utf8').trim().split('\n')
    return { ...r, compose: hostPaths(dir).composeFile, execs: calls.filter((c) => c.includes(' exec ')) }
  }

  it('asks the agent container once for both, and is healthy on a tmpfs with a rendered .env', () => {
    const r = run('tmpfs', 0)
    expect([r.code, r.stdout]).toEqual([0, 'step\tup\nstep\thealthy\n'])
    expect(r.execs).toEqual([`compose -f ${r.compose} -p authentik exec -T vault-agent sh -c stat -f -c %T /vault/secrets && test -s /vault/secrets/.env`])
  })

  it('names each failure by its exit code: no .env, not a tmpfs, no answer', () => {
    expect(run('tmpfs', 1).code).toBe(CONVERGE_EXIT.noEnv)
    const ext4 = run('ext4', 0)
    expect([ext4.code, ext4.stderr]).toEqual([CONVERGE_EXIT.notTmpfs, 'filesystem: ext4\n'])
    expect(run('', 1).code).toBe(CONVERGE_EXIT.noEnv)
  })
})

describe('write then converge, one script', () => {
  function bed() {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-wc-'))
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    const log = join(dir, 'docker.log')
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${log}\ncase " $* " in *" exec "*) echo tmpfs ;; esac\nexit 0\n`, { mode: 0o755 })
    const root = join(dir, 'authentik')
    mkdirSync(root)
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
    const docker = () => { try { return readFileSync(log, 'utf8').trim().split('\n') } catch { return [] } }
    return { root, env, docker, req: { paths: hostPaths(root), project: 'authentik', up: true, groups: [], waitSeconds: 5 } }
  }

  it('writes every file, says so, then converges with its own arguments', () => {
    const b = bed()
    const { argv, stdin } = writeConvergeArgv([], [{ path: join(b.root, 'docker-compose.yml'), mode: 0o644, uid: 0, gid: 0, content: Buffer.from('services: {}\n') }], undefined, b.req)
    const r = runLocal(argv, stdin, b.env)
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toBe(`wrote\t${join(b.root, 'docker-compose.yml')}\nwritten\nstep\tup\nstep\thealthy\n`)
    expect(readFileSync(join(b.root, 'docker-compose.yml'), 'utf8')).toBe('services: {}\n')
    expect(b.docker().map((c) => c.split(' ').slice(5, 7).join(' '))).toEqual(['up -d', 'exec -T'])
  })

  it('a write that fails never reaches the converge: no "written" line, no docker call', () => {
    const b = bed()
    const { argv, stdin } = writeConvergeArgv([], [{ path: join(b.root, 'missing/f'), mode: 0o644, uid: 0, gid: 0, content: Buffer.from('x') }], undefined, b.req)
    const r = runLocal(argv, stdin, b.env)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(b.docker()).toEqual([])
  })
})
