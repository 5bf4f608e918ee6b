// Key material for the test bed: fresh host keys per host and one client key, made by ssh-keygen.
import { readFile, rm } from 'node:fs/promises'
import { run } from './run.js'

export type KeyType = 'ed25519' | 'rsa'

// Generates an unencrypted key pair at path (path.pub for the public half) and returns the public line.
export async function generateKey(path: string, type: KeyType, comment: string): Promise<string> {
  await rm(path, { force: true })
  await rm(`${path}.pub`, { force: true })
  const bits = type === 'rsa' ? ['-b', '2048'] : []
  await run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', comment, '-f', path])
  return (await readFile(`${path}.pub`, 'utf8')).trim()
}

// The "type base64" part of a public key line, without the comment (what known_hosts holds).
export function keyBody(publicLine: string): string {
  const [type, blob] = publicLine.split(/\s+/)
  if (!type || !blob) throw new Error(`not a public key line: ${publicLine}`)
  return `${type} ${blob}`
}
