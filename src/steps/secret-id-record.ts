// The host's record of its AppRole secret-id (vault/config/secret-id.accessor, root-only): which
// accessor the deployed secret-id file has (with the file's sha256, so a record that no longer
// describes the file is noticed), one being installed, and the accessors still owed a destroy.
// Accessors and a hash are no secret; the secret-id itself never leaves its own file.
import { createHash } from 'node:crypto'

// One recorded secret-id: its accessor and the sha256 of the file that holds it (absent in old records).
export interface RecordedSecretId {
  accessor: string
  sha256?: string
}

export interface SecretIdRecord {
  current?: RecordedSecretId
  // written before a new secret-id file, so a write cut between the two still names the new one
  pending?: RecordedSecretId
  // replaced secret-ids not destroyed yet (a failed run, a failed destroy)
  owed: string[]
  // lines that were not understood (shown as a warning, never trusted)
  rejected: string[]
}

const ACCESSOR = /^[A-Za-z0-9-]{8,64}$/
const SHA = /^[0-9a-f]{64}$/

// The sha256 the state read reports for a file with this content.
export function contentSha(content: string): string {
  return createHash('sha256').update(content).digest('hex')
}

// Reads the record's lines as the host reported them (the first legacy form is a bare accessor).
export function parseRecord(lines: readonly string[]): SecretIdRecord {
  const record: SecretIdRecord = { owed: [], rejected: [] }
  for (const line of lines) {
    const [first = '', second, third] = line.trim().split(/\s+/)
    if (first === '') continue
    if (first === 'owed' && second !== undefined && ACCESSOR.test(second) && third === undefined) {
      if (!record.owed.includes(second)) record.owed.push(second)
    } else if (first === 'pending' && second !== undefined && ACCESSOR.test(second) && third !== undefined && SHA.test(third)) {
      record.pending = { accessor: second, sha256: third }
    } else if (ACCESSOR.test(first) && record.current === undefined && third === undefined && (second === undefined || SHA.test(second))) {
      record.current = second === undefined ? { accessor: first } : { accessor: first, sha256: second }
    } else record.rejected.push(line.slice(0, 80))
  }
  return record
}

// The file content for a record (current first, so older authctl versions still read the accessor).
export function formatRecord(record: Pick<SecretIdRecord, 'current' | 'pending' | 'owed'>): string {
  const lines: string[] = []
  if (record.current) lines.push(record.current.sha256 ? `${record.current.accessor} ${record.current.sha256}` : record.current.accessor)
  if (record.pending?.sha256) lines.push(`pending ${record.pending.accessor} ${record.pending.sha256}`)
  for (const a of record.owed) lines.push(`owed ${a}`)
  return lines.join('\n') + '\n'
}

// Which recorded secret-id the host's file holds, by its sha256: the current one, the pending one (a
// swap that did not finish), the current one of an old record without checksum (legacy), or none.
export interface HeldSecretId {
  accessor: string | null
  via: 'current' | 'pending' | 'legacy' | 'none'
  // the pending accessor when the record names one (a swap whose outcome is not settled yet)
  pending: string | null
  // whether the record names any secret-id at all
  recorded: boolean
}

export function heldSecretId(lines: readonly string[], fileSha: string | undefined): HeldSecretId {
  const r = parseRecord(lines)
  const base = { pending: r.pending?.accessor ?? null, recorded: r.current !== undefined || r.pending !== undefined }
  if (fileSha !== undefined && r.current?.sha256 === fileSha) return { ...base, accessor: r.current.accessor, via: 'current' }
  if (fileSha !== undefined && r.pending?.sha256 === fileSha) return { ...base, accessor: r.pending.accessor, via: 'pending' }
  if (fileSha !== undefined && r.current !== undefined && r.current.sha256 === undefined) return { ...base, accessor: r.current.accessor, via: 'legacy' }
  return { ...base, accessor: null, via: 'none' }
}
