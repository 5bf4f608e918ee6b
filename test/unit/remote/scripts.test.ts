// The remote scripts are constant POSIX sh run with data as "$@": run them here with /bin/sh on real
// files to prove what they do (the integration tests run them over SSH on the test bed).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hostPaths } from '../../../src/remote/paths.js'
import { parseState } from '../../../src/remote/parse-state.js'
import { releaseCommand } from '../../../src/remote/release-script.js'
import { stateCommand } from '../../../src/remote/state-script.js'
import { writeCommand } from '../../../src/remote/write-script.js'

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
    const { argv, stdin } = writeCommand(
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
    const { argv, stdin } = writeCommand([], [{ path: join(dir, 'f'), mode: 0o644, uid: 0, gid: 0, content: Buffer.from('new content that is longer') }])
    const r = runLocal(argv, stdin.subarray(0, 5))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('short read')
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('old content')
    expect(readdirSync(dir)).toEqual(['f'])
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
    const cmd = stateCommand({ paths, project: 'authentik', lockDetails: '{"pid":1}', takeLock: true, targets })
    const r = runLocal(cmd, undefined, env)
    expect(r.code).toBe(0)
    const state = parseState('h1', r)
    expect(state.composeVersion).toBe('2.29.7')
    expect(state.paths.get(targets[0]!)).toEqual({ kind: 'file', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', mode: 0o400, uid: 0, gid: 0 })
    expect(state.paths.get(targets[1]!)?.kind).toBe('dir')
    expect(state.paths.get(targets[2]!)).toBeUndefined()
    expect(state.secretIdAccessor).toBe('acc-123')
    expect(readFileSync(paths.lockDetails, 'utf8')).toBe('{"pid":1}\n')

    const again = runLocal(stateCommand({ paths, project: 'authentik', lockDetails: '{"pid":2}', takeLock: true, targets }), undefined, env)
    expect(again.code).toBe(3)
    expect(() => parseState('h1', again)).toThrow(/h1: the deploy lock is held \(\{"pid":1\}\)/)

    // release only frees our own lock, and appends audit lines
    const foreign = runLocal(releaseCommand(paths, '{"pid":2}', []))
    expect(foreign.stderr).toContain('lock not ours')
    expect(statSync(paths.lockDir).isDirectory()).toBe(true)
    runLocal(releaseCommand(paths, '{"pid":1}', ['{"a":1}', '{"b":2}']))
    expect(() => statSync(paths.lockDir)).toThrow()
    expect(readFileSync(paths.auditLog, 'utf8')).toBe('{"a":1}\n{"b":2}\n')
  })

  it('reports a broken docker compose as a host failure with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-state-'))
    const env = fakeDocker(dir, false)
    const r = runLocal(stateCommand({ paths: hostPaths(join(dir, 'a')), project: 'p', lockDetails: '{}', takeLock: true, targets: [] }), undefined, env)
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
    const state = parseState('h', runLocal(stateCommand({ paths, project: 'p', lockDetails: '{}', takeLock: true, targets: [] }), undefined, env))
    expect(state.services).toEqual([{ service: 'server', state: 'running', health: 'healthy' }])
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toBe(`compose -f ${paths.composeFile} -p p ps -a --format json\n`)
  })
})
