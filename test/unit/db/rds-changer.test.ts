import { describe, expect, it } from 'vitest'
import type { ApplyProgress } from '../../../src/db/db-types.js'
import type { RdsApi, RdsInstanceView } from '../../../src/db/rds-api.js'
import { RdsPasswordChanger } from '../../../src/db/rds-changer.js'
import { DatabaseError, InterruptedError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'

const view = (status: string, passwordPending = false): RdsInstanceView => ({ id: 'db-1', status, masterUsername: 'authentik', passwordPending, managedPassword: false })

// An RdsApi that answers describe() from a script (the last answer repeats).
function scripted(answers: RdsInstanceView[]): RdsApi {
  let i = 0
  return {
    describe: async () => answers[Math.min(i++, answers.length - 1)] as RdsInstanceView,
    modifyPassword: async () => view('available', true),
    close: () => undefined,
  }
}

const changer = (answers: RdsInstanceView[]): RdsPasswordChanger => RdsPasswordChanger.withApi({ instanceId: 'db-1' }, scripted(answers))

describe('RdsPasswordChanger.waitApplied', () => {
  it('waits through a still-available-but-pending look and resetting, until available with nothing pending', async () => {
    const seen: ApplyProgress[] = []
    await changer([view('available', true), view('resetting-master-credentials', true), view('available')]).waitApplied({ intervalMs: 1, onProgress: (p) => seen.push(p) })
    expect(seen.map((p) => [p.status, p.pending])).toEqual([['available', true], ['resetting-master-credentials', true], ['available', false]])
  })

  it('stops at a status RDS will not leave on its own', async () => {
    const error = await changer([view('resetting-master-credentials', true), view('incompatible-credentials')]).waitApplied({ intervalMs: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseError)
    expect(error).toMatchObject({ reason: 'state', message: 'RDS instance db-1 is incompatible-credentials; the new master password was not applied' })
  })
})

describe('RdsPasswordChanger.preflight', () => {
  it.each([
    [view('modifying'), 'RDS instance db-1 is modifying'],
    [view('available', true), 'RDS instance db-1 is available with a master password change pending'],
  ])('refuses an instance that is not ready: %j', async (instance, message) => {
    await expect(changer([instance]).preflight()).rejects.toThrow(message)
  })
})

describe('RdsPasswordChanger.changePassword with an unknown outcome', () => {
  const next = new Secret('aNewPasswordOf32CharactersLong00')
  const unknown = new DatabaseError('RDS ModifyDBInstance for db-1 failed with HTTP 500 (InternalFailure): boom', { reason: 'unknown', hint: 'look first' })
  // An API whose modify fails with `modifyError`, and whose describe answers from a script (errors thrown).
  function failing(modifyError: Error, answers: Array<RdsInstanceView | Error>): { api: RdsApi; describes: () => number } {
    let i = 0
    const api: RdsApi = {
      describe: async () => {
        const answer = answers[Math.min(i++, answers.length - 1)] as RdsInstanceView | Error
        if (answer instanceof Error) throw answer
        return answer
      },
      modifyPassword: async () => Promise.reject(modifyError),
      close: () => undefined,
    }
    return { api, describes: () => i }
  }
  const settling = (api: RdsApi, settleTimeoutMs = 2_000) => RdsPasswordChanger.withApi({ instanceId: 'db-1', settleIntervalMs: 1, settleTimeoutMs }, api)

  it('the instance shows the password change pending: RDS took it, the change resolves', async () => {
    const { api, describes } = failing(unknown, [unknown, view('available', true)])
    await settling(api).changePassword(next)
    expect(describes()).toBe(2)
  })

  it('resetting-master-credentials counts as taken', async () => {
    await settling(failing(unknown, [view('resetting-master-credentials')]).api).changePassword(next)
  })

  it('two looks in a row with nothing pending: still an unknown outcome, saying what RDS shows', async () => {
    const { api, describes } = failing(unknown, [view('available'), unknown, view('available'), view('available')])
    const error = await settling(api).changePassword(next).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unknown', message: 'RDS ModifyDBInstance for db-1 failed with HTTP 500 (InternalFailure): boom; RDS shows no master password change pending on db-1 (available), so it did not take it or has applied it already' })
    // a failed look in between resets the count
    expect(describes()).toBe(4)
  })

  it('RDS never answers the describe within the bound: unknown, naming the last describe error', async () => {
    const error = await settling(failing(unknown, [new DatabaseError('cannot reach the RDS API for db-1: ECONNREFUSED', { reason: 'unreachable' })]).api, 50).changePassword(next).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unknown', message: expect.stringMatching(/boom; whether RDS took the change could not be told within 0 s \(DescribeDBInstances: cannot reach the RDS API for db-1: ECONNREFUSED\)$/) })
    expect((error as DatabaseError).hint).toContain('--resume')
  })

  it('a cut connection or a timeout is settled the same way', async () => {
    for (const reason of ['unreachable', 'timeout'] as const) {
      await settling(failing(new DatabaseError('socket hang up', { reason }), [view('available', true)]).api).changePassword(next)
    }
  })

  it('a documented refusal is passed on at once, without a look', async () => {
    const { api, describes } = failing(new DatabaseError('busy', { reason: 'state' }), [view('available', true)])
    await expect(settling(api).changePassword(next)).rejects.toMatchObject({ reason: 'state' })
    expect(describes()).toBe(0)
  })

  it('Ctrl-C while looking stops at once', async () => {
    const controller = new AbortController()
    const { api } = failing(unknown, [new DatabaseError('x', { reason: 'unreachable' })])
    setTimeout(() => controller.abort(), 20)
    const changer = RdsPasswordChanger.withApi({ instanceId: 'db-1', settleIntervalMs: 5, settleTimeoutMs: 30_000 }, api)
    await expect(changer.changePassword(next, controller.signal)).rejects.toBeInstanceOf(InterruptedError)
  })
})
