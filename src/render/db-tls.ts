// The database TLS part of a host's render input: pg_sslmode as is, and the CA bundle named by
// pg_sslrootcert read from the bastion (its content is deployed, the bastion path is not).
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import type { AuthctlVars } from '../inventory/authctl-vars.js'
import type { RenderInput } from './render-input.js'

// Spread into renderBundle's input: { ...dbTlsInput(host.name, host.vars) }.
export function dbTlsInput(hostName: string, vars: Pick<AuthctlVars, 'pgSslmode' | 'pgSslrootcert'>): Pick<RenderInput, 'pgSslmode' | 'pgSslrootcert'> {
  if (vars.pgSslrootcert === undefined) return { pgSslmode: vars.pgSslmode }
  try {
    return { pgSslmode: vars.pgSslmode, pgSslrootcert: readFileSync(vars.pgSslrootcert, 'utf8') }
  } catch (error) {
    throw new ConfigError(`${hostName}: pg_sslrootcert ${vars.pgSslrootcert} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Point pg_sslrootcert at the PEM CA bundle of the database (for RDS the global bundle, global-bundle.pem) on this machine.',
    })
  }
}
