// What the rotation does after a failure and on --resume, for every combination of facts.
import { describe, expect, it } from 'vitest'
import { changeNotApplied, decideAfterFailure, decideOnResume, describeFacts, type DbFacts } from '../../../../src/plays/rotate-db-password/decide.js'
import { ConfigError, DatabaseError, InterruptedError, VaultError } from '../../../../src/errors.js'

const f = (next: DbFacts['next'], old: DbFacts['old'], pending: DbFacts['pending']): DbFacts => ({ next, old, pending })

describe('decideAfterFailure', () => {
  it.each([
    ['the new password logs in: the change took effect', f('ok', 'refused', false), 'maybe', 'continue'],
    ['the new one logs in even with RDS pending', f('ok', 'refused', true), 'no', 'continue'],
    ['refused modify, old accepted', f('refused', 'ok', false), 'no', 'rollback'],
    ['refused modify, database unreachable: nothing was sent', f('unreachable', 'unreachable', false), 'no', 'rollback'],
    ['maybe sent, RDS still applying', f('refused', 'ok', true), 'maybe', 'leave'],
    ['maybe sent, RDS state unknown', f('refused', 'ok', null), 'maybe', 'leave'],
    ['maybe sent, settled, old accepted', f('refused', 'ok', false), 'maybe', 'rollback'],
    ['maybe sent, settled, database unreachable', f('unreachable', 'unreachable', false), 'maybe', 'leave'],
    ['maybe sent, both refused', f('refused', 'refused', false), 'maybe', 'leave'],
    ['not sent, both refused', f('refused', 'refused', false), 'no', 'rollback'],
  ] as const)('%s', (_, facts, applied, decision) => {
    expect(decideAfterFailure(facts, applied)).toBe(decision)
  })
})

describe('decideOnResume', () => {
  it.each([
    [f('ok', 'refused', false), 'continue'],
    [f('ok', 'refused', null), 'continue'],
    [f('refused', 'ok', true), 'wait'],
    [f('unreachable', 'unreachable', true), 'wait'],
    [f('refused', 'ok', false), 'redo'],
    [f('refused', 'ok', null), 'stuck'],
    [f('unreachable', 'unreachable', false), 'stuck'],
    [f('refused', 'refused', false), 'stuck'],
  ] as const)('%j → %s', (facts, decision) => {
    expect(decideOnResume(facts)).toBe(decision)
  })
})

describe('changeNotApplied', () => {
  it.each([
    [new DatabaseError('busy', { reason: 'state' }), true],
    [new DatabaseError('denied', { reason: 'refused' }), true],
    [new DatabaseError('bad login', { reason: 'login-refused' }), true],
    [new DatabaseError('handshake', { reason: 'tls' }), true],
    [new ConfigError('no credentials'), true],
    [new DatabaseError('reset', { reason: 'unreachable' }), false],
    [new DatabaseError('slow', { reason: 'timeout' }), false],
    [new DatabaseError('RDS 500, throttled or undocumented', { reason: 'unknown' }), false],
    [new InterruptedError('Ctrl-C'), false],
    [new VaultError('?'), false],
    [new Error('bug'), false],
  ])('%s → %s', (error, notApplied) => {
    expect(changeNotApplied(error)).toBe(notApplied)
  })
})

it('describeFacts says it in words', () => {
  expect(describeFacts(f('refused', 'ok', true))).toBe('the database refuses the new password and accepts the previous one; RDS is still applying a password change')
  expect(describeFacts(f('unreachable', 'unreachable', null))).toBe('the database could not be asked about the new password and could not be asked about the previous one; whether RDS is still applying a change is unknown')
})
