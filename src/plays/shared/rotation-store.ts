// Where a rotation's journal is kept: this bastion's file (durable, with the history) and the secret's
// custom_metadata in Vault (so every bastion and CI runner sees it). Whichever copy was written last is
// the truth; a Vault that cannot be reached is a warning, never a stop.
import type { Reporter } from '../../engine/reporter.js'
import { sanitizeRemote } from '../../util/sanitize.js'
import { describeUnfinished, isUnfinished, journalPath, loadJournal, saveJournal, type JournalOf, type RotationKind, type UnfinishedRotation } from './rotation-journal.js'
import { mirrorPatch, readMirror, type MirrorVault } from './rotation-mirror.js'

// The secret a rotation changes, as the mirror needs it.
export interface RotatedSecret {
  mount: string
  key: string
  // secret/cwiq/shared/authentik/database, for messages
  display: string
}

// What a rotation loads its journal from and saves it to.
export interface JournalStore<J> {
  path: string
  load(): Promise<J | null>
  save(journal: J): Promise<void>
}

const message = (error: unknown): string => sanitizeRemote((error as Error).message ?? String(error), { maxBytes: 300 })

// The journal store of one rotation.
export function journalStore<K extends RotationKind>(kind: K, secret: RotatedSecret, deps: { vault: MirrorVault; reporter: Reporter; env: NodeJS.ProcessEnv }): JournalStore<JournalOf<K>> {
  const path = journalPath(kind, deps.env)
  // said once a run: every later step tries again quietly (Vault may be back by then)
  let warned = false
  const mirror = async (j: JournalOf<K>): Promise<void> => {
    try {
      await deps.vault.kvPatchMetadata(secret.mount, secret.key, mirrorPatch(j))
    } catch (error) {
      if (warned) return
      warned = true
      const what = isUnfinished(j) ? 'other bastions will not see that it is unfinished' : 'other bastions may still see it as unfinished'
      // a runbook-era operator policy lacks the patch on metadata: say which command grants it
      const fix = /permission denied/i.test(message(error)) ? ' (the operator policy `authctl vault bootstrap` writes allows it)' : ''
      deps.reporter.warn('*', `the rotation's state could not be recorded in Vault beside ${secret.display} (${message(error)}): ${what}; this bastion's journal ${path} has it${fix}`)
    }
  }
  return {
    path,
    async load() {
      const local = await loadJournal(kind, deps.env)
      const remote = await readMirror(deps.vault, kind, secret.mount, secret.key).catch((error: unknown) => {
        deps.reporter.warn('*', `could not read the rotation's state in Vault beside ${secret.display}: ${message(error)}; going by this bastion's journal`)
        return null
      })
      if (remote === null || local === null) return local ?? remote
      // another bastion's rotation, or a later step of this one taken from another bastion (keep our history)
      if (remote.updatedAt > local.updatedAt) return local.id === remote.id ? { ...remote, events: local.events } : remote
      // Vault missed this bastion's last step (it could not be reached then): bring it up to date
      if (local.updatedAt > remote.updatedAt) await mirror(local)
      return local
    },
    async save(journal) {
      await saveJournal(journal, deps.env)
      await mirror(journal)
    },
  }
}

// Every unfinished rotation this bastion's journals or Vault know of (for status, setup and restart).
export async function unfinishedAnywhere(secrets: readonly { kind: RotationKind; secret: RotatedSecret }[], deps: { vault: MirrorVault | null; env: NodeJS.ProcessEnv }): Promise<UnfinishedRotation[]> {
  const out: UnfinishedRotation[] = []
  for (const { kind, secret } of secrets) {
    const local = await loadJournal(kind, deps.env)
    const remote = deps.vault === null ? null : await readMirror(deps.vault, kind, secret.mount, secret.key)
    // the copy written last says how it stands (another bastion may have finished or started one)
    if (remote !== null && (local === null || remote.updatedAt > local.updatedAt)) {
      if (isUnfinished(remote)) out.push(describeUnfinished(remote, `${secret.display} (custom_metadata in Vault)`, 'vault'))
    } else if (local !== null && isUnfinished(local)) out.push(describeUnfinished(local, journalPath(kind, deps.env), 'journal'))
  }
  return out
}
