import { describe, expect, it } from 'vitest'
import { newHostResult, type HostResult } from '../../../src/engine/host-result.js'
import { formatRecap } from '../../../src/output/recap.js'

const host = (name: string, patch: Partial<HostResult>): HostResult => ({ ...newHostResult(name), ...patch })

describe('setup recap', () => {
  it('one aligned line a host: files, restart, health, then the secret-id it got and the ones destroyed', () => {
    const text = formatRecap('SETUP', [
      host('host1', { status: 'changed', durationMs: 1234, files: [{ path: '/a', action: 'update' }, { path: '/b', action: 'unchanged' }], restarted: ['vault-agent', 'server', 'worker'], healthy: true, secretId: { action: 'mint', accessor: 'acc-new-0001', destroyed: ['acc-old-0001', 'acc-old-0002'] } }),
      host('h2', { status: 'ok', durationMs: 300, files: [{ path: '/a', action: 'unchanged' }], secretId: { action: 'keep', accessor: 'acc-kept-001' } }),
    ])
    expect(text).toBe([
      'SETUP RECAP',
      'host1  changed      changed=1 unchanged=1 restarted=vault-agent,server,worker healthy=yes secret-id=acc-new-0001 destroyed-secret-id=acc-old-0001,acc-old-0002  (1.2s)',
      'h2     ok           changed=0 unchanged=1  (0.3s)',
      '',
    ].join('\n'))
  })

  it('--check says a secret-id would be minted; a failed host shows its error, warnings and hint', () => {
    const text = formatRecap('SETUP (check)', [
      host('host1', { status: 'changed', secretId: { action: 'would-mint', reason: 'the host has no secret-id' } }),
      host('host2', { status: 'failed', warnings: ['w1'], error: { message: 'host2: boom', hint: 'do this', exitCode: 3 } }),
    ])
    expect(text).toBe([
      'SETUP (check) RECAP',
      'host1  changed      changed=0 unchanged=0 secret-id=would-mint  (0.0s)',
      'host2  failed       host2: boom  (0.0s)',
      '  host2: warning: w1',
      '  host2: do this',
      '',
    ].join('\n'))
  })
})
