// writeFiles' errors say what the host reported: the lock taken by another run (exit 3, nothing
// written), a file changed since the read, or a cut connection with the files already renamed into place.
import { describe, expect, it } from 'vitest'
import { LockHeldError, UnreachableError } from '../../../src/errors.js'
import type { ExecOptions, ExecResult } from '../../../src/remote/exec-result.js'
import type { RemoteHost } from '../../../src/remote/remote-host.js'
import { hostPaths } from '../../../src/stack/host-paths.js'
import { ConvergeError, writeFiles, writeThenConverge, WriteError } from '../../../src/steps/host-steps.js'

const file = (path: string) => ({ path, content: 'x', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'none' as const })
const lock = { dir: '/data/authentik/authctl.lock', details: '{"pid":1}', expect: [] }

function host(answer: (opts: ExecOptions) => Promise<ExecResult>, argvs: string[][] = []): RemoteHost {
  return { name: 'h1', exec: (argv, opts = {}) => (argvs.push([...argv]), answer(opts)) }
}

describe('writeFiles', () => {
  it('a lock another run took since the read is exit 3 and names the holder', async () => {
    const remote = host(async (o) => (o.onLine?.('stdout', 'locked\t{"who":"bob@b"}'), { stdout: '', stderr: '', code: 3 }))
    const e = await writeFiles(remote, [], [file('/data/authentik/a')], lock).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(LockHeldError)
    expect((e as LockHeldError).message).toBe('h1: the deploy lock was taken by another run since the state read ({"who":"bob@b"}); nothing was written')
  })

  it('a file changed since the read is a host failure naming it', async () => {
    const remote = host(async (o) => (o.onLine?.('stdout', 'changed\t/data/authentik/a'), { stdout: '', stderr: '', code: 4 }))
    await expect(writeFiles(remote, [], [file('/data/authentik/a')], lock)).rejects.toThrow('h1: /data/authentik/a changed since the state read (another run?); nothing was written')
  })

  it('a cut connection keeps its exit code (unreachable) and reports the files already written', async () => {
    const remote = host(async (o) => {
      o.onLine?.('stdout', 'wrote\t/data/authentik/a')
      throw new UnreachableError('h1: SSH connection was closed')
    })
    const e = await writeFiles(remote, [], [file('/data/authentik/a'), file('/data/authentik/b')]).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(WriteError)
    expect((e as WriteError).exitCode).toBe(4)
    expect((e as WriteError).written).toEqual(['/data/authentik/a'])
  })
})

describe('writeThenConverge (a restarting run: one round trip for the write and the converge)', () => {
  const req = { paths: hostPaths('/data/authentik'), project: 'authentik', up: true, groups: [], waitSeconds: 5 }
  const lines = (o: ExecOptions, ls: string[]) => ls.forEach((l) => o.onLine?.('stdout', l))
  const run = (remote: RemoteHost, timings: Record<string, number> = {}, written: string[] = []) =>
    writeThenConverge(remote, { dirs: [], files: [file('/data/authentik/a')], lock }, req, { timings, written: () => void written.push('written') }).catch((x: unknown) => x)

  it('sends one command: the write, then the converge with its own arguments, and reports both steps', async () => {
    const argvs: string[][] = []
    const timings: Record<string, number> = {}
    const written: string[] = []
    const remote = host(async (o) => (lines(o, ['wrote\t/data/authentik/a', 'written', 'step\tup', 'step\thealthy']), { stdout: '', stderr: '', code: 0 }), argvs)
    expect(await run(remote, timings, written)).toEqual(['up', 'healthy'])
    expect(written).toEqual(['written'])
    expect(argvs).toHaveLength(1)
    expect(argvs[0]!.slice(6)).toEqual([
      'authctl-write-converge', lock.dir, lock.details, '--', 'f', '0644', '0', '0', '1', '/data/authentik/a',
      '--then', '/data/authentik/docker-compose.yml', 'authentik', '1', '5', '/data/authentik/.authctl-pending-restart', '',
    ])
    expect(Object.keys(timings).sort()).toEqual(['converge', 'write'])
  })

  it('a failure before every file was written is the write\'s (the converge never ran)', async () => {
    const e = await run(host(async (o) => (lines(o, ['wrote\t/data/authentik/a']), { stdout: '', stderr: 'disk full', code: 1 })))
    expect(e).toBeInstanceOf(WriteError)
    expect((e as WriteError).written).toEqual(['/data/authentik/a'])
    expect(await run(host(async (o) => (lines(o, ['locked\t{"who":"bob@b"}']), { stdout: '', stderr: '', code: 3 })))).toBeInstanceOf(LockHeldError)
  })

  it('a failure after it is the converge\'s, named by its exit code; a cut connection keeps exit 4', async () => {
    const e = await run(host(async (o) => (lines(o, ['wrote\t/data/authentik/a', 'written']), { stdout: '', stderr: '', code: 13 })))
    expect(e).toBeInstanceOf(ConvergeError)
    expect((e as ConvergeError).message).toBe('h1: vault-agent is up but /vault/secrets/.env was not rendered')
    expect((e as ConvergeError).exitCode).toBe(2)
    const cut = await run(host(async (o) => {
      lines(o, ['wrote\t/data/authentik/a', 'written'])
      throw new UnreachableError('h1: SSH connection was closed')
    }))
    expect(cut).toBeInstanceOf(ConvergeError)
    expect((cut as ConvergeError).exitCode).toBe(4)
    expect((cut as ConvergeError).hint).toBe('Every file is in place and the restart stays owed on the host: the next run finishes it.')
  })
})
