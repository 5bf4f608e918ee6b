// writeFiles' errors say what the host reported: the lock taken by another run (exit 3, nothing
// written), a file changed since the read, or a cut connection with the files already renamed into place.
import { describe, expect, it } from 'vitest'
import { LockHeldError, UnreachableError } from '../../src/errors.js'
import type { ExecOptions, ExecResult } from '../../src/remote/exec-result.js'
import type { RemoteHost } from '../../src/remote/remote-host.js'
import { writeFiles, WriteError } from '../../src/steps/host-steps.js'

const file = (path: string) => ({ path, content: 'x', mode: 0o644, uid: 0, gid: 0, secret: false, restarts: 'none' as const })
const lock = { dir: '/data/authentik/authctl.lock', details: '{"pid":1}', expect: [] }

function host(answer: (opts: ExecOptions) => Promise<ExecResult>): RemoteHost {
  return { name: 'h1', exec: (_argv, opts = {}) => answer(opts) }
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
