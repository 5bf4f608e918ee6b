// A throwaway PostgreSQL 15 cluster for tests: initdb in a temp dir as the `postgres` system user
// (initdb refuses root), listening only on 127.0.0.1 at a free port, socket inside the cluster dir.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { forceSsl, makeServerCert, tlsArgs, type PostgresTls } from './postgres-tls.js'
import { waitUntil } from './wait-for.js'

// Where Debian's postgresql-15 package puts the server binaries.
export const PG_BIN = '/usr/lib/postgresql/15/bin'

// A running cluster: connect as `user` (a superuser) with `password`, or through connectionString.
export interface Postgres {
  host: '127.0.0.1'
  port: number
  user: string
  password: string
  database: string
  connectionString: string
  // With { tls: true }: the CA's PEM (plain TCP logins are then refused, as on RDS with rds.force_ssl).
  ca?: string
  dataDir: string
  pid: number
  // What the server wrote to stderr so far (its log), for tests that search it for secrets.
  serverLog(): string
  // The database down (fast shutdown, data kept) and back on the same port: the "PostgreSQL down" fault.
  down(): Promise<void>
  up(): Promise<void>
  stop(): Promise<void>
}

// Starts a fresh cluster and resolves once it accepts password logins; stop() removes it entirely.
export async function startPostgres(options: { tls?: boolean } = {}): Promise<Postgres> {
  const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')])
  const dataDir = await mkdtemp(join(tmpdir(), 'authctl-pg-'))
  await chown(dataDir, uid, gid)
  const user = 'authctl_admin'
  const password = randomBytes(18).toString('base64url')
  // The password reaches initdb through a file, never its argv.
  const pwFile = join(dataDir, '.pwfile')
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 })
  await chown(pwFile, uid, gid)
  const cluster = join(dataDir, 'cluster')
  await runAs(uid, gid, `${PG_BIN}/initdb`, ['-D', cluster, '-U', user, `--pwfile=${pwFile}`, '--auth=scram-sha-256',
    '-E', 'UTF8', '--locale=C', '--no-sync'], dataDir)
  await rm(pwFile)
  let tls: PostgresTls | undefined
  if (options.tls) {
    tls = await makeServerCert(dataDir, uid, gid)
    await forceSsl(cluster)
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      let running = await launch(uid, gid, dataDir, cluster, port, { user, password }, tls)
      const logs: Array<() => string> = [running.serverLog]
      const connectionString = `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres${tls ? '?sslmode=no-verify' : ''}`
      return {
        host: '127.0.0.1', port, user, password, database: 'postgres', connectionString, ca: tls?.ca, dataDir: cluster, pid: running.pid,
        serverLog: () => logs.map((l) => l()).join(''),
        down: () => stopServer(running.pid, undefined),
        up: async () => {
          running = await launch(uid, gid, dataDir, cluster, port, { user, password }, tls)
          logs.push(running.serverLog)
        },
        stop: () => stopServer(running.pid, dataDir),
      }
    } catch (error) {
      // Another process may have taken the port between our probe and the bind: try another.
      if (attempt >= 3) {
        await rm(dataDir, { recursive: true, force: true })
        throw error
      }
    }
  }
}

async function launch(uid: number, gid: number, dataDir: string, cluster: string, port: number, login: { user: string; password: string }, tls?: PostgresTls): Promise<{ pid: number; serverLog: () => string }> {
  const child = spawn(`${PG_BIN}/postgres`, ['-D', cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${cluster}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...(tls ? tlsArgs(tls) : [])],
  { uid, gid, cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString()
  })
  let exited = false
  child.on('exit', () => {
    exited = true
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('could not spawn postgres')
  const accepts = async (): Promise<boolean> => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: login.user, password: login.password, database: 'postgres', connectionTimeoutMillis: 1_000, ssl: tls ? { ca: tls.ca, servername: 'localhost' } : false })
    const ok = await client.connect().then(() => true, () => false)
    await client.end().catch(() => undefined)
    return ok
  }
  let up = false
  await waitUntil(async () => exited || (up = await accepts()), 20_000, 100)
  if (up) return { pid, serverLog: () => log }
  if (!exited) await stopServer(pid, undefined)
  throw new Error(`postgres did not start on 127.0.0.1:${port}:\n${log.split('\n').slice(-10).join('\n')}`)
}

// Fast shutdown (SIGINT), SIGKILL after a bound, then the cluster dir goes.
async function stopServer(pid: number, dataDir: string | undefined): Promise<void> {
  const running = async (): Promise<boolean> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
    return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  }
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig)
    } catch {
      // Already gone.
    }
  }
  signal('SIGINT')
  const gone = async (): Promise<boolean> => !(await running())
  if (!(await waitUntil(gone, 10_000, 50))) {
    signal('SIGKILL')
    await waitUntil(gone, 2_000, 50)
  }
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
}

// A port the kernel just handed out on 127.0.0.1 (closed again so postgres can bind it).
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function idOf(flag: '-u' | '-g'): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('id', [flag, 'postgres'], (error, stdout) => (error ? reject(new Error('no `postgres` system user; install postgresql-15', { cause: error })) : resolve(Number(stdout.trim()))))
  })
}

function runAs(uid: number, gid: number, file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { uid, gid, cwd, timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${file} failed: ${stderr}`, { cause: error })) : resolve()))
  })
}
