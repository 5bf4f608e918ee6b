// Small pieces of the Vault-only commands: the lockout report, value fingerprints, fleet-wide variables
// and the database CA read from the bastion.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { fleetVars } from '../../../src/inventory/fleet-vars.js'
import { loadInventory } from '../../../src/inventory/load-inventory.js'
import { Secret } from '../../../src/util/secret.js'
import { fingerprint } from '../../../src/plays/secrets-show/play.js'
import { describeLockout, lockoutReport } from '../../../src/plays/vault-bootstrap/lockout-report.js'
import { dbTlsInput } from '../../../src/render/db-tls.js'

const NONE = { threshold: null, durationS: null, counterResetS: null, disabled: null }

describe('user lockout report', () => {
  it('an untuned mount: Vault\'s defaults, and the shared role-id warning', () => {
    const r = lockoutReport(NONE, 'approle')
    expect(r).toEqual({ mount: 'approle', source: 'vault defaults', disabled: false, threshold: 5, durationS: 900, counterResetS: 900 })
    expect(describeLockout(r)).toBe([
      "user lockout on auth/approle: not tuned on the mount: Vault's defaults apply (Vault 1.13+) unless the server's user_lockout stanza changes them",
      '  5 failed logins within 15m lock the role-id for 15m.',
      '  Every host shares that one role-id: an agent retrying with a stale secret-id can lock all hosts out at once.',
    ].join('\n'))
  })

  it('tuned values win; disabled says so', () => {
    expect(describeLockout(lockoutReport({ threshold: 3, durationS: 90, counterResetS: 600, disabled: false }, 'approle'))).toContain('3 failed logins within 10m lock the role-id for 90s.')
    expect(describeLockout(lockoutReport({ ...NONE, disabled: true }, 'approle'))).toBe('user lockout on auth/approle: disabled on the mount (failed logins never lock the role-id)')
  })
})

describe('fingerprint', () => {
  it('is sha256 of the value, 12 hex digits, as `printf %s VALUE | sha256sum | cut -c1-12`', () => {
    expect(fingerprint(new Secret('abc'))).toBe('sha256:ba7816bf8f01')
  })
})

describe('fleetVars', () => {
  it('refuses hosts that disagree on the shared Vault setup, naming the variable and both hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-fleet-'))
    writeFileSync(join(dir, 'hosts.ini'), 'h1\nh2 vault_kv_path=other/folder\nh3\n')
    const hosts = (await loadInventory(join(dir, 'hosts.ini'), { env: {} })).selectHosts()
    expect(() => fleetVars(hosts)).toThrow('vault_kv_path differs between h1 and h2; every host shares one Vault setup')
    expect(fleetVars([hosts[0]!, hosts[2]!]).vaultKvPath).toBe('cwiq/shared/authentik')
  })
})

describe('dbTlsInput', () => {
  it('reads the CA bundle from the bastion, or names pg_sslrootcert when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-dbtls-'))
    writeFileSync(join(dir, 'ca.pem'), 'PEM')
    expect(dbTlsInput('h1', { pgSslmode: 'verify-full', pgSslrootcert: join(dir, 'ca.pem') })).toEqual({ pgSslmode: 'verify-full', pgSslrootcert: 'PEM' })
    expect(dbTlsInput('h1', { pgSslmode: 'prefer' })).toEqual({ pgSslmode: 'prefer' })
    expect(() => dbTlsInput('h1', { pgSslmode: 'require', pgSslrootcert: join(dir, 'missing.pem') })).toThrow(ConfigError)
    expect(() => dbTlsInput('h1', { pgSslmode: 'require', pgSslrootcert: join(dir, 'missing.pem') })).toThrow(`h1: pg_sslrootcert ${join(dir, 'missing.pem')} cannot be read (ENOENT)`)
  })
})
