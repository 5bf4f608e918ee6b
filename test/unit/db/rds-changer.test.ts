import { describe, expect, it } from 'vitest'
import type { ApplyProgress } from '../../../src/db/db-types.js'
import type { RdsApi, RdsInstanceView } from '../../../src/db/rds-api.js'
import { RdsPasswordChanger } from '../../../src/db/rds-changer.js'
import { DatabaseError } from '../../../src/errors.js'

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
