// What the database tests share: a throwaway PostgreSQL, a one-host test bed to tunnel through, an SSH
// connection to that host, and a way to create login roles.
import pg from 'pg'
import { Secret } from '../../../src/util/secret.js'
import { connectHost } from '../../../src/transport/ssh-host.js'
import type { SshConnection } from '../../../src/transport/ssh-types.js'
import { startPostgres, type Postgres } from '../../support/postgres.js'
import { startTestbed, type Testbed } from '../../support/testbed/index.js'

// The running pieces and their stop.
export interface DbBed {
  postgres: Postgres
  bed: Testbed
  remote: SshConnection
  stop(): Promise<void>
}

// Starts PostgreSQL (with TLS when asked) and one bed host, and connects to that host.
export async function startDbBed(options: { tls?: boolean } = {}): Promise<DbBed> {
  const [postgres, bed] = await Promise.all([startPostgres(options), startTestbed({ hosts: 1, vault: false })])
  const host = bed.hosts[0]!
  const remote = await connectHost(
    { name: host.name, host: host.address, port: host.port, user: bed.user, privateKeyFile: bed.keyFile, agentSocket: '' },
    { knownHostsPath: bed.knownHostsPath, acceptNew: false },
  )
  return {
    postgres, bed, remote,
    stop: async () => {
      await remote.close()
      await bed.stop()
      await postgres.stop()
    },
  }
}

// Runs work as the cluster's superuser.
export async function asAdmin<T>(postgres: Postgres, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgres.connectionString })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

// Creates a login role with this password (options such as CREATEROLE go in `extra`).
export async function createRole(postgres: Postgres, role: string, password: Secret, extra = ''): Promise<{ user: string; password: Secret }> {
  await asAdmin(postgres, (c) => c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN ${extra} PASSWORD ${c.escapeLiteral(password.reveal())}`))
  return { user: role, password }
}
