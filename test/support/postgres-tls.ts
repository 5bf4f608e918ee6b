// TLS for the throwaway PostgreSQL, as RDS for PostgreSQL 15+ has it (rds.force_ssl = 1): a test CA, a
// server certificate for the name localhost only (so 127.0.0.1 shows a name mismatch), and pg_hba
// lines that accept TCP logins only over TLS.
import { execFile } from 'node:child_process'
import { chmod, chown, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// The files postgres is started with, and the CA's PEM for clients that verify.
export interface PostgresTls {
  ca: string
  certFile: string
  keyFile: string
}

const openssl = (args: string[], cwd: string): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _out, stderr) => (error ? reject(new Error(`openssl ${args[0]} failed: ${stderr}`, { cause: error })) : resolve()))
  })

// Makes a CA and a server certificate in dir; the key is readable by the postgres user only.
export async function makeServerCert(dir: string, uid: number, gid: number): Promise<PostgresTls> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=authctl test CA', '-keyout', 'ca.key', '-out', 'ca.crt'], dir)
  await openssl(['req', ...ec, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'], dir)
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n')
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt'], dir)
  const keyFile = join(dir, 'server.key')
  const certFile = join(dir, 'server.crt')
  await Promise.all([chown(keyFile, uid, gid), chown(certFile, uid, gid), chmod(keyFile, 0o600)])
  return { ca: await readFile(join(dir, 'ca.crt'), 'utf8'), certFile, keyFile }
}

// Turns initdb's `host` lines into `hostssl`: a plain TCP login then finds no pg_hba entry (as on RDS).
export async function forceSsl(cluster: string): Promise<void> {
  const file = join(cluster, 'pg_hba.conf')
  const text = await readFile(file, 'utf8')
  await writeFile(file, text.replace(/^host(\s)/gm, 'hostssl$1'))
}

// The postgres arguments that turn TLS on with these files.
export function tlsArgs(tls: PostgresTls): string[] {
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${tls.certFile}`, '-c', `ssl_key_file=${tls.keyFile}`]
}
