// known_hosts as OpenSSH reads it, hand-written because ssh2 hands us only the server's key blob
// and no maintained npm parser exists. We read any file and only ever append to it.
import { createHash } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { lookupName, matchesHostField } from './host-pattern.js'

// One usable known_hosts line; `line` is 1-based so messages can say file:line.
export interface KnownHostEntry {
  line: number
  marker?: 'revoked' | 'cert-authority'
  hosts: string
  keyType: string
  key: Buffer
  // The file the line came from, when several known_hosts files are read together.
  file?: string
}

// The verdict on a served host key, with what an operator needs to act on it.
export interface HostKeyVerdict {
  status: 'match' | 'mismatch' | 'unknown' | 'revoked'
  fingerprint: string
  // The entry that matched, was revoked, or holds the key we expected instead (mismatch).
  line?: number
  file?: string
  // The first @cert-authority line for this host: ssh2 cannot receive host certificates, so the
  // caller must refuse to trust a key for it on first use.
  certAuthority?: { line: number; file?: string }
}

// Reads the key type that every SSH public key blob starts with (a uint32-length string).
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || blob.length < 4 + len) return undefined
  return blob.subarray(4, 4 + len).toString('latin1')
}

// The fingerprint exactly as `ssh-keygen -l` prints it: SHA256, base64 without padding.
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

// Parses one line; comments, blank lines and malformed lines give undefined, as OpenSSH skips them.
function parseLine(text: string, line: number): KnownHostEntry | undefined {
  const fields = text.trim().split(/[ \t]+/)
  if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return undefined
  let marker: KnownHostEntry['marker']
  if (fields[0].startsWith('@')) {
    if (fields[0] === '@revoked') marker = 'revoked'
    else if (fields[0] === '@cert-authority') marker = 'cert-authority'
    else return undefined
    fields.shift()
  }
  const [hosts, keyType, base64] = fields
  if (hosts === undefined || keyType === undefined || base64 === undefined) return undefined
  if (!/^[A-Za-z0-9+/]+=*$/.test(base64)) return undefined
  const key = Buffer.from(base64, 'base64')
  if (keyTypeOf(key) !== keyType) return undefined
  return { line, marker, hosts, keyType, key }
}

// Parses a whole known_hosts text into its usable entries.
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const entry = parseLine(raw, i + 1)
    if (entry) entries.push(entry)
  })
  return entries
}

// Reads and parses a known_hosts file (entries tagged with it); a missing file simply knows no hosts.
export async function loadKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8')).map((entry) => ({ ...entry, file: path }))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

// Checks a served key against the entries for host:port. A revoked key is refused wherever it is
// listed; a host with entries but none equal to the served key is a mismatch (the caller makes the
// server offer the known key types first, so a different type means the key really changed).
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = lookupName(host, port)
  const fp = fingerprint(keyBlob)
  const forHost = entries.filter((e) => matchesHostField(e.hosts, name))
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob))
  if (revoked) return { status: 'revoked', fingerprint: fp, line: revoked.line, file: revoked.file }
  const ca = forHost.find((e) => e.marker === 'cert-authority')
  const certAuthority = ca === undefined ? {} : { certAuthority: { line: ca.line, file: ca.file } }
  const plain = forHost.filter((e) => e.marker === undefined)
  const same = plain.find((e) => e.key.equals(keyBlob))
  if (same) return { status: 'match', fingerprint: fp, line: same.line, file: same.file, ...certAuthority }
  if (plain.length === 0) return { status: 'unknown', fingerprint: fp, ...certAuthority }
  const served = keyTypeOf(keyBlob)
  const expected = plain.find((e) => e.keyType === served) ?? plain[0]
  return { status: 'mismatch', fingerprint: fp, line: expected?.line, file: expected?.file, ...certAuthority }
}

// The key types known for host:port, so the SSH client can ask the server for those first.
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = lookupName(host, port)
  const types = entries.filter((e) => e.marker === undefined && matchesHostField(e.hosts, name)).map((e) => e.keyType)
  return [...new Set(types)]
}

// Appends serialise per file so concurrent accepts never interleave their lines.
const appendQueues = new Map<string, Promise<void>>()

// Appends one `host keytype base64` line (never rewrites the file); creates the folder 0700 and
// the file 0600 when missing, and starts a new line if the file lacks a final newline.
export async function appendKnownHost(path: string, host: string, port: number, keyBlob: Buffer): Promise<void> {
  const keyType = keyTypeOf(keyBlob)
  if (keyType === undefined) throw new Error('cannot append a malformed host key blob')
  const line = `${lookupName(host, port)} ${keyType} ${keyBlob.toString('base64')}\n`
  const previous = appendQueues.get(path) ?? Promise.resolve()
  const next = previous.then(async () => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const handle = await open(path, 'a+', 0o600)
    try {
      const { size } = await handle.stat()
      let needsNewline = false
      if (size > 0) {
        const last = Buffer.alloc(1)
        await handle.read(last, 0, 1, size - 1)
        needsNewline = last[0] !== 0x0a
      }
      await handle.appendFile(needsNewline ? `\n${line}` : line)
      await handle.sync()
    } finally {
      await handle.close()
    }
  })
  appendQueues.set(path, next.catch(() => undefined))
  return next
}
