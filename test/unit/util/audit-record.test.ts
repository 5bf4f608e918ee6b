import { describe, expect, it } from 'vitest'
import { mergeAudit } from '../../../src/plays/audit/audit-merge.js'
import { auditRecord, whoRuns } from '../../../src/util/audit-record.js'

const at = new Date('2026-03-01T10:00:00Z')

describe('the one audit record', () => {
  it('has time, who, host, command, then the change, in that order', () => {
    expect(auditRecord({ at, who: 'ops@bastion', host: 'auth01', command: 'authctl restart' }, { restarted: ['server'] }))
      .toBe('{"time":"2026-03-01T10:00:00.000Z","who":"ops@bastion","host":"auth01","command":"authctl restart","restarted":["server"]}')
  })

  it('leaves host out for a Vault-only change, and the time field is `time` there too', () => {
    expect(auditRecord({ at, who: 'ops@bastion', command: 'authctl db set-host' }, { field: 'pg_host', version: 4 }))
      .toBe('{"time":"2026-03-01T10:00:00.000Z","who":"ops@bastion","command":"authctl db set-host","field":"pg_host","version":4}')
  })

  it('names the sudo caller when there is one', () => {
    expect(whoRuns({ SUDO_USER: 'alice' })).toMatch(/^alice@/)
  })

  it('`authctl audit` still reads a line written with the old `ts` field, and a new one, as the same entry', () => {
    const old = JSON.stringify({ ts: '2026-03-01T09:00:00.000Z', who: 'ops@bastion', command: 'authctl secrets init', path: 'secret/x' })
    const now = auditRecord({ at, who: 'ops@bastion', command: 'authctl secrets init' }, { path: 'secret/x' })
    const h = mergeAudit([{ host: 'bastion', lines: [{ number: 1, text: old }, { number: 2, text: now }] }])
    expect(h.malformed).toEqual([])
    expect(h.entries.map((e) => [e.time, e.fields])).toEqual([['2026-03-01T09:00:00.000Z', { path: 'secret/x' }], ['2026-03-01T10:00:00.000Z', { path: 'secret/x' }]])
  })
})
