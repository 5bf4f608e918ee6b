// A rotation's journal, also kept in Vault beside the secret it rotates (KV v2 custom_metadata of that key,
// never a secret value): another bastion or a CI runner sees an unfinished one and can --resume it, and a
// bastion whose own journal is older learns that another finished it. Vault allows 512 bytes a value, so
// the journal (less its history) is split over numbered keys.
import type { VaultClient } from '../../vault/client.js'
import { checkJournal, type JournalOf, type RotationJournal, type RotationKind } from './rotation-journal.js'

// custom_metadata keys: authctl-rotation.0, .1, … in order.
export const MIRROR_KEY = 'authctl-rotation'
const CHUNK_BYTES = 500
const MAX_CHUNKS = 16

export type MirrorVault = Pick<VaultClient, 'kvMetadata' | 'kvPatchMetadata'>

// Splits text into pieces of at most `max` UTF-8 bytes, never inside a character.
function chunks(text: string, max: number): string[] {
  const out: string[] = []
  let piece = ''
  for (const ch of text) {
    if (Buffer.byteLength(piece + ch) > max) {
      out.push(piece)
      piece = ''
    }
    piece += ch
  }
  if (piece !== '') out.push(piece)
  return out
}

// The merge patch that records the journal (and removes the pieces of a longer earlier one).
export function mirrorPatch(j: RotationJournal): Record<string, string | null> {
  const patch: Record<string, string | null> = {}
  for (let i = 0; i < MAX_CHUNKS; i++) patch[`${MIRROR_KEY}.${i}`] = null
  // the history stays on the bastion that wrote it: the facts are what another bastion needs
  const pieces = chunks(JSON.stringify({ ...j, events: [] }), CHUNK_BYTES)
  if (pieces.length > MAX_CHUNKS) throw new Error(`the journal is larger than Vault's custom_metadata can hold (${pieces.length} × ${CHUNK_BYTES} bytes)`)
  pieces.forEach((p, i) => (patch[`${MIRROR_KEY}.${i}`] = p))
  return patch
}

// The journal recorded beside the secret, or null when none is; a damaged record is an Error naming it.
export async function readMirror<K extends RotationKind>(vault: MirrorVault, kind: K, mount: string, key: string): Promise<JournalOf<K> | null> {
  const meta = await vault.kvMetadata(mount, key)
  if (meta === null) return null
  const pieces: string[] = []
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const piece = meta.customMetadata[`${MIRROR_KEY}.${i}`]
    if (piece === undefined) break
    pieces.push(piece)
  }
  if (pieces.length === 0) return null
  const where = `the custom_metadata ${MIRROR_KEY}.* of ${mount}/${key} in Vault`
  let value: unknown
  try {
    value = JSON.parse(pieces.join(''))
  } catch {
    throw new Error(`${where} is damaged (not JSON)`)
  }
  return checkJournal(kind, value, where)
}
