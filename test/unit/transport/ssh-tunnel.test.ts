import { describe, expect, it } from 'vitest'
import { UnreachableError } from '../../../src/errors.js'
import type { SshConnection } from '../../../src/transport/ssh-types.js'
import { openTunnel } from '../../../src/transport/ssh-tunnel.js'

describe('openTunnel', () => {
  it('refuses a host that connectHost did not make (no SSH connection to tunnel through)', async () => {
    const fake = { name: 'recording-fake' } as SshConnection
    const error = await openTunnel(fake, 'db.internal', 5432).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnreachableError)
    expect((error as Error).message).toBe('recording-fake: this connection cannot open tunnels')
  })
})
