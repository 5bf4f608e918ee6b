// Why a host could not be reached, worded for the operator: which host, which address, what
// failed (TCP, handshake, host key, authentication) and what to check.
import { UnreachableError } from '../errors.js'
import type { HostKeyOutcome } from './host-key-check.js'

// What ssh2 adds to its errors: where in the connection it failed.
export interface Ssh2Error extends Error {
  level?: string
  code?: string
}

// Turns a failed connect into an UnreachableError that names the host and what went wrong.
export function connectError(err: Ssh2Error, target: { name: string; host: string; port: number; user: string }, outcome: HostKeyOutcome, tried: string[], timeoutMs: number): UnreachableError {
  const where = `${target.host}:${target.port}`
  const prefix = `${target.name}:`
  if (outcome.refusal) return new UnreachableError(`${prefix} ${outcome.refusal.message}`, { hint: outcome.refusal.hint, cause: err })
  switch (err.level) {
    case 'client-socket':
      return new UnreachableError(`${prefix} cannot connect to ${where}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`, {
        hint: 'check that the host is up, that sshd listens on that port, and ansible_host/ansible_port',
        cause: err,
      })
    case 'client-timeout':
      return new UnreachableError(`${prefix} no SSH handshake with ${where} within ${timeoutMs} ms (timed out)`, {
        hint: 'check that the host is up and that nothing filters the port',
        cause: err,
      })
    case 'client-dns':
      return new UnreachableError(`${prefix} cannot resolve ${target.host} (port ${target.port}): ${err.message}`, { cause: err })
    case 'client-authentication':
      return new UnreachableError(`${prefix} SSH authentication as ${target.user} on ${where} failed; tried: ${tried.join('; ')}`, {
        hint: `check ansible_user / User and that the public key is in ~${target.user}/.ssh/authorized_keys on the host`,
        cause: err,
      })
    default:
      return new UnreachableError(`${prefix} SSH connection to ${where} failed: ${err.message}`, { cause: err })
  }
}
