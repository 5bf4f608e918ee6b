// TLS towards PostgreSQL as RDS requires it (rds.force_ssl): sslmode verify-full with the CA, require,
// and disable refused by the server; also inside the SSH tunnel, where the certificate must still match.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DbEndpoint, DbLogin } from '../../src/db/db-types.js'
import { verifyLogin } from '../../src/db/login-check.js'
import { SqlPasswordChanger } from '../../src/db/sql-changer.js'
import { viaHost } from '../../src/db/ssh-via.js'
import { Secret } from '../../src/util/secret.js'
import type { SshConnection } from '../../src/transport/ssh-types.js'
import type { Postgres } from '../support/postgres.js'
import { createRole, startDbBed, type DbBed } from './support/db-bed.js'

let dbBed: DbBed
let postgres: Postgres
let remote: SshConnection
let login: DbLogin
let base: DbEndpoint

beforeAll(async () => {
  dbBed = await startDbBed({ tls: true })
  ;({ postgres, remote } = dbBed)
  login = await createRole(postgres, 'authentik', new Secret(randomBytes(16).toString('hex')))
  base = { host: 'localhost', port: postgres.port, database: 'postgres', sslMode: 'verify-full', ca: postgres.ca }
})

afterAll(async () => {
  await dbBed?.stop()
})

const failure = (endpoint: DbEndpoint): Promise<unknown> => verifyLogin(endpoint, login).catch((e: unknown) => e)

// in order: each test starts from what the one before it left (the describes themselves are shuffled)
describe('TLS to PostgreSQL', { shuffle: false }, () => {
  it('verify-full with the CA logs in over TLS, directly and through the tunnel', async () => {
    expect(await verifyLogin(base, login)).toMatchObject({ user: 'authentik', tls: true })
    expect(await verifyLogin({ ...base, via: viaHost(remote) }, login)).toMatchObject({ user: 'authentik', tls: true })
  })

  it('require encrypts without checking the certificate', async () => {
    expect(await verifyLogin({ ...base, sslMode: 'require', ca: undefined }, login)).toMatchObject({ tls: true })
  })

  it('prefer takes TLS when the server has it; verify-ca checks the CA but not the name', async () => {
    expect(await verifyLogin({ ...base, sslMode: 'prefer', ca: undefined }, login)).toMatchObject({ tls: true })
    expect(await verifyLogin({ ...base, host: '127.0.0.1', sslMode: 'verify-ca' }, login)).toMatchObject({ tls: true })
    expect(await failure({ ...base, sslMode: 'verify-ca', ca: undefined })).toMatchObject({ reason: 'tls' })
  })

  it('verify-full refuses a certificate from an unknown CA, or for another name', async () => {
    expect(await failure({ ...base, ca: undefined })).toMatchObject({ reason: 'tls', message: expect.stringMatching(/unable to verify the first certificate/) })
    // The certificate names localhost only: the same server by its address does not match.
    expect(await failure({ ...base, host: '127.0.0.1', via: viaHost(remote) })).toMatchObject({ reason: 'tls', message: expect.stringMatching(/IP: 127\.0\.0\.1 is not in the cert's list/) })
  })

  it('a plain connection is refused by the server, as RDS with rds.force_ssl does', async () => {
    expect(await failure({ ...base, sslMode: 'disable' })).toMatchObject({ reason: 'login-refused', message: expect.stringMatching(/no pg_hba.conf entry .* no encryption/) })
  })

  it('the SQL change works over verified TLS through the tunnel', async () => {
    const endpoint: DbEndpoint = { ...base, via: viaHost(remote) }
    const next = new Secret(randomBytes(16).toString('hex'))
    await new SqlPasswordChanger({ endpoint, login }).changePassword(next)
    expect(await verifyLogin(endpoint, { user: 'authentik', password: next })).toMatchObject({ tls: true })
  })
})
