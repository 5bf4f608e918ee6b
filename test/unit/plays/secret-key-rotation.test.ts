// The secret-key rotation through fake ports: the --json shape, a lost check-and-set touching no host,
// and a host that does not come back (the instances then disagree: said, with the command that fixes it).
import { describe, expect, it } from 'vitest'
import { VaultError } from '../../../src/errors.js'
import { silentReporter } from '../../../src/output/reporter.js'
import { Secret } from '../../../src/output/secret.js'
import type { RestartHostResult } from '../../../src/plays/restart.js'
import { rotateSecretKey, type SecretKeyPorts } from '../../../src/plays/secret-key-rotation.js'

const meta = (version: number) => ({ version, createdTime: null, deletionTime: null, destroyed: false, customMetadata: {} })

function ports(opts: { conflict?: boolean; failed?: string[] } = {}) {
  const patched: { data: Record<string, unknown>; cas?: number }[] = []
  const restarts: string[][] = []
  const audit: Record<string, unknown>[] = []
  const p: SecretKeyPorts = {
    vault: {
      preflight: async () => ({}) as never,
      kvRead: async () => ({ data: { secret_key: new Secret('old-key-SENTINEL'.padEnd(64, 'x')) }, meta: meta(7) }),
      kvPatch: async (_m, _p, data, cas) => {
        if (opts.conflict) throw new VaultError('check-and-set parameter did not match the current version', { status: 400 })
        patched.push({ data, cas })
        return meta(8)
      },
    },
    restart: async (hosts) => {
      restarts.push([...hosts])
      const result = (h: string): RestartHostResult => ({ host: h, status: opts.failed?.includes(h) ? 'failed' : 'changed', durationMs: 1, warnings: [], restarted: [], healthy: true, owedRestart: null, timings: {} })
      return { hosts: hosts.map(result), exitCode: opts.failed?.length ? 2 : 0, interrupted: false, timings: {} }
    },
    confirm: async () => undefined,
    audit: async (e) => void audit.push(e),
    reporter: silentReporter,
  }
  return { p, patched, restarts, audit }
}

const o = { mount: 'secret', key: 'cwiq/shared/authentik/config', display: 'secret/cwiq/shared/authentik/config', hosts: ['h1', 'h2', 'h3'] }

describe('rotateSecretKey', () => {
  it('patches a new 64-character key with check-and-set, restarts every host in one call, and its JSON carries no key', async () => {
    const t = ports()
    const r = await rotateSecretKey(t.p, o)
    expect(Object.keys(r).sort()).toEqual(['exitCode', 'path', 'restart', 'rotation', 'status', 'versions', 'warnings'])
    expect(r).toMatchObject({ rotation: 'secret-key', status: 'rotated', path: o.display, versions: { from: 7, to: 8 }, restart: { mode: 'all-at-once' }, exitCode: 0 })
    expect(t.patched).toHaveLength(1)
    expect(t.patched[0]?.cas).toBe(7)
    expect((t.patched[0]?.data.secret_key as Secret).reveal()).toMatch(/^[A-Za-z0-9]{64}$/)
    expect(t.restarts).toEqual([['h1', 'h2', 'h3']])
    const text = JSON.stringify([r, t.audit])
    expect(text).not.toContain((t.patched[0]?.data.secret_key as Secret).reveal())
    expect(text).not.toContain('SENTINEL')
    expect(t.audit).toEqual([{ rotation: 'secret-key', status: 'rotated', path: o.display, fromVersion: 7, toVersion: 8, restarted: ['h1', 'h2', 'h3'] }])
  })

  it('a lost check-and-set: VaultError naming the version read, no host restarted', async () => {
    const t = ports({ conflict: true })
    await expect(rotateSecretKey(t.p, o)).rejects.toThrow('secret/cwiq/shared/authentik/config changed after it was read at version 7 (check-and-set failed): nothing was changed')
    expect(t.restarts).toEqual([])
  })

  it('a host that did not restart: unfinished, exit 2, and how to restart just that host', async () => {
    const t = ports({ failed: ['h2'] })
    const r = await rotateSecretKey(t.p, o)
    expect(r).toMatchObject({ status: 'unfinished', exitCode: 2 })
    expect(r.error?.message).toContain('h2 did not restart healthy: they may still run with the previous key')
    expect(r.error?.hint).toBe('Fix those hosts (see the recap), then restart them: authctl restart -l h2')
  })
})
