// vaultConfigFromEnv reads the environment the way the vault CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { parseGoBool, vaultConfigFromEnv } from '../../../src/vault/config.js'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'vault-cfg-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

describe('vaultConfigFromEnv', () => {
  it('uses the CLI defaults when nothing is set', () => {
    const c = vaultConfigFromEnv({}, home)
    expect(c).toMatchObject({ addr: 'https://127.0.0.1:8200', token: null, tokenSource: 'none', skipVerify: false, timeoutMs: 60_000 })
    expect(c.caCert).toBeUndefined()
    expect(c.namespace).toBeUndefined()
  })

  it('takes VAULT_TOKEN over ~/.vault-token, and the file (trimmed) otherwise', () => {
    writeFileSync(join(home, '.vault-token'), 'hvs.from-file\n')
    expect(vaultConfigFromEnv({ VAULT_TOKEN: 'hvs.env' }, home).token?.reveal()).toBe('hvs.env')
    const fromFile = vaultConfigFromEnv({}, home)
    expect([fromFile.token?.reveal(), fromFile.tokenSource]).toEqual(['hvs.from-file', 'token file'])
    expect(JSON.stringify(fromFile)).not.toContain('hvs.from-file')
  })

  it('strips a trailing slash from VAULT_ADDR and rejects non-URLs', () => {
    expect(vaultConfigFromEnv({ VAULT_ADDR: 'http://127.0.0.1:8200/' }, home).addr).toBe('http://127.0.0.1:8200')
    expect(() => vaultConfigFromEnv({ VAULT_ADDR: 'vault:8200' }, home)).toThrow(ConfigError)
    expect(() => vaultConfigFromEnv({ VAULT_ADDR: 'not a url' }, home)).toThrow(/VAULT_ADDR/)
  })

  it('parses VAULT_SKIP_VERIFY as a Go bool (false means verify), and rejects garbage', () => {
    expect(vaultConfigFromEnv({ VAULT_SKIP_VERIFY: 'false' }, home).skipVerify).toBe(false)
    expect(vaultConfigFromEnv({ VAULT_SKIP_VERIFY: '0' }, home).skipVerify).toBe(false)
    expect(vaultConfigFromEnv({ VAULT_SKIP_VERIFY: 'true' }, home).skipVerify).toBe(true)
    expect(vaultConfigFromEnv({ VAULT_SKIP_VERIFY: 'T' }, home).skipVerify).toBe(true)
    expect(() => vaultConfigFromEnv({ VAULT_SKIP_VERIFY: 'yes' }, home)).toThrow(/could not parse VAULT_SKIP_VERIFY/)
    expect([parseGoBool('1'), parseGoBool('FALSE'), parseGoBool('nope')]).toEqual([true, false, null])
  })

  it('reads VAULT_CACERT as the CA bundle and names the file when it cannot', () => {
    const ca = join(home, 'ca.pem')
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n')
    expect(vaultConfigFromEnv({ VAULT_CACERT: ca }, home).caCert).toContain('BEGIN CERTIFICATE')
    expect(() => vaultConfigFromEnv({ VAULT_CACERT: join(home, 'missing.pem') }, home)).toThrow(/VAULT_CACERT=.*missing\.pem cannot be read \(ENOENT\)/)
  })

  it('reads every .pem of VAULT_CAPATH, sets the namespace and the client timeout', () => {
    writeFileSync(join(home, 'a.pem'), 'A')
    writeFileSync(join(home, 'b.crt'), 'B')
    const c = vaultConfigFromEnv({ VAULT_CAPATH: home, VAULT_NAMESPACE: 'team-a', VAULT_CLIENT_TIMEOUT: '90s' }, home)
    expect([c.caCert, c.namespace, c.timeoutMs]).toEqual(['A\nB', 'team-a', 90_000])
    expect(vaultConfigFromEnv({ VAULT_CLIENT_TIMEOUT: '5' }, home).timeoutMs).toBe(5000)
    expect(() => vaultConfigFromEnv({ VAULT_CLIENT_TIMEOUT: 'soon' }, home)).toThrow(ConfigError)
  })

  it('takes the VAULT_ADDR scheme in any case, as Go url.Parse does, and refuses a query or credentials', () => {
    expect(vaultConfigFromEnv({ VAULT_ADDR: 'HTTPS://Vault.Example.com:8200/' }, home).addr).toBe('https://vault.example.com:8200')
    expect(vaultConfigFromEnv({ VAULT_ADDR: 'Http://127.0.0.1:8200' }, home).addr).toBe('http://127.0.0.1:8200')
    expect(vaultConfigFromEnv({ VAULT_ADDR: 'https://lb.example.com/vault/' }, home).addr).toBe('https://lb.example.com/vault')
    expect(() => vaultConfigFromEnv({ VAULT_ADDR: 'https://vault:8200/?x=1' }, home)).toThrow(/VAULT_ADDR/)
    expect(() => vaultConfigFromEnv({ VAULT_ADDR: 'https://user:pw@vault:8200' }, home)).toThrow(/VAULT_ADDR/)
  })

  it('reads VAULT_MAX_RETRIES as a non-negative integer (default 2, 0 disables)', () => {
    expect(vaultConfigFromEnv({}, home).maxRetries).toBe(2)
    expect(vaultConfigFromEnv({ VAULT_MAX_RETRIES: '0' }, home).maxRetries).toBe(0)
    expect(vaultConfigFromEnv({ VAULT_MAX_RETRIES: '5' }, home).maxRetries).toBe(5)
    for (const bad of ['-1', 'two', '1.5', '99999999999']) {
      expect(() => vaultConfigFromEnv({ VAULT_MAX_RETRIES: bad }, home)).toThrow(`could not parse VAULT_MAX_RETRIES value "${bad}"`)
    }
  })

  it('reads VAULT_CLIENT_TIMEOUT like Go ParseDurationSecond (seconds or a duration with ms/s/m/h)', () => {
    const ms = (v: string) => vaultConfigFromEnv({ VAULT_CLIENT_TIMEOUT: v }, home).timeoutMs
    expect([ms('30'), ms('1.5s'), ms('500ms'), ms('1m30s'), ms('1h')]).toEqual([30_000, 1500, 500, 90_000, 3_600_000])
    for (const bad of ['0', '-5', '5x', 's']) expect(() => ms(bad)).toThrow(ConfigError)
  })
})
