// `rotate-secret-key --resume`: finishes a secret key rotation whose run stopped. It trusts Vault over the
// journal: the version there now says whether the interrupted run's patch was written (its answer may have
// been lost). Then the hosts still owed a restart are locked and restarted at once.
import { ConfigError, VaultError } from '../../errors.js'
import type { Secret } from '../../util/secret.js'
import { isUnfinished, type KeyJournal } from '../shared/rotation-journal.js'
import { newKeyResult, save, transaction, type SecretKeyOptions, type SecretKeyPorts, type SecretKeyResult } from './transaction.js'
import { owedLines } from '../shared/rotation-hosts.js'

// Same fields and values, except secret_key.
function sameButKey(a: Record<string, Secret>, b: Record<string, Secret>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].every((k) => k === 'secret_key' || a[k]?.reveal() === b[k]?.reveal())
}

// The version the interrupted run wrote, or null when it wrote none; someone else's version is a VaultError.
async function writtenVersion(p: SecretKeyPorts, o: SecretKeyOptions, j: KeyJournal): Promise<number | null> {
  const meta = await p.vault.kvMetadata(o.mount, o.key)
  if (meta === null) throw new ConfigError(`${o.display} no longer exists`, { hint: 'Recreate it (authctl secrets init) and remove the journal.' })
  const current = meta.currentVersion
  if (j.toVersion === null && current === j.fromVersion) return null
  if (j.toVersion !== null && current === j.toVersion) return current
  if (j.toVersion === null && current === j.fromVersion + 1) {
    const [was, now] = await Promise.all([p.vault.kvRead(o.mount, o.key, j.fromVersion), p.vault.kvRead(o.mount, o.key, current)])
    if (was?.data != null && now?.data != null && sameButKey(was.data, now.data)) return current
  }
  throw new VaultError(`${o.display} is at version ${current}, which this rotation did not write (it started from ${j.fromVersion}${j.toVersion === null ? '' : ` and wrote ${j.toVersion}`})`, {
    hint: `Someone changed the secret since. Look at it (authctl secrets show), restart the hosts at once if needed (authctl restart --all-at-once), then move the journal aside: ${p.journal.path}`,
  })
}

// Finishes the journaled rotation, or starts afresh (via `fresh`) when the interrupted run wrote nothing.
export async function resumeSecretKey(p: SecretKeyPorts, o: SecretKeyOptions, j: KeyJournal | null, fresh: () => Promise<SecretKeyResult>): Promise<SecretKeyResult> {
  if (j === null || !isUnfinished(j)) {
    throw new ConfigError(`there is no unfinished secret key rotation to resume${j === null ? '' : ` (the last one ended "${j.step}" at ${j.updatedAt})`}`, { hint: 'Run authctl rotate-secret-key without --resume to start one.' })
  }
  await p.vault.preflight()
  const to = await writtenVersion(p, o, j)
  if (to === null) {
    p.reporter.event('*', `the interrupted run never wrote version ${j.fromVersion + 1}: nothing had changed; starting the rotation again`)
    await save(p, j, 'aborted', 'resume: nothing had been written; a new rotation starts')
    return fresh()
  }
  j.toVersion = to
  const result = newKeyResult(o, p, j.fromVersion, true)
  result.versions.to = to
  const todo = o.hosts.filter((h) => j.hosts[h] !== 'changed')
  await transaction(p, o, j, result, todo, async (owed) => {
    await p.confirm([
      `Resume the secret key rotation of ${o.display} started ${j.startedAt} by ${j.who} (version ${j.fromVersion} → ${to} is written, stopped at "${j.step}"):`,
      `  restart ${todo.filter((h) => !owed.some((x) => x.host === h)).join(', ')} all at once (they may still run with the previous key)`,
      ...owedLines(owed),
      `Warning: users whose sessions are served by these hosts are logged out.`,
    ])
    await save(p, j, 'propagate', `resume: restarting ${todo.join(', ')}`)
  })
  return result
}
