// `authctl rotate-secret-key`: the runbook's "Rotate AUTHENTIK_SECRET_KEY" as one transaction on the engine.
// Every host is locked and read first (more than --max-fail failing stops it before any change); then a new
// 64-character key is patched into Vault with check-and-set on the version read, and every locked host
// restarts at once: HA instances must share one key, and sessions signed with the old one stop working
// (every user is logged out). Each step is journaled (bastion and Vault), so --resume finishes a killed run.
import { ConfigError, VaultError } from '../../errors.js'
import { generateSecret } from '../../secrets/generate.js'
import { owedLines } from '../shared/rotation-hosts.js'
import { casConflictError, writeRefused } from '../shared/kv-conflict.js'
import { isUnfinished, newJournal } from '../shared/rotation-journal.js'
import { resumeSecretKey } from './resume.js'
import { LOGOUT_WARNING, newKeyResult, save, SECRET_KEY_LENGTH, transaction, type SecretKeyOptions, type SecretKeyPorts, type SecretKeyResult } from './transaction.js'

// A new rotation, or the journaled one finished with --resume; audited either way.
export async function rotateSecretKey(p: SecretKeyPorts, o: SecretKeyOptions): Promise<SecretKeyResult> {
  const journal = await p.journal.load()
  if (!o.resume && journal !== null && isUnfinished(journal)) {
    throw new ConfigError(`an earlier secret key rotation is unfinished: started ${journal.startedAt} by ${journal.who}, stopped at step "${journal.step}" (Vault version ${journal.fromVersion} → ${journal.toVersion ?? 'not written'})`, {
      hint: `Nothing was changed. Finish it first: authctl rotate-secret-key --resume (journal: ${p.journal.path}).`,
    })
  }
  const r = o.resume ? await resumeSecretKey(p, o, journal, () => freshRotation(p, o, true)) : await freshRotation(p, o, false)
  await p.audit({ rotation: 'secret-key', status: r.status, resumed: r.resumed, path: o.display, fromVersion: r.versions.from, toVersion: r.versions.to, restarted: r.restart.hosts.filter((h) => h.status === 'changed').map((h) => h.host), owed: r.owed })
  return r
}

async function freshRotation(p: SecretKeyPorts, o: SecretKeyOptions, resumed: boolean): Promise<SecretKeyResult> {
  await p.vault.preflight()
  const entry = await p.vault.kvRead(o.mount, o.key)
  if (entry?.data == null) throw new ConfigError(`${o.display} ${entry ? 'is deleted or destroyed' : 'does not exist'}`, { hint: 'Create it first: authctl secrets init.' })
  const from = entry.meta.version
  const next = generateSecret(SECRET_KEY_LENGTH)
  const result = newKeyResult(o, p, from, resumed)
  const j = newJournal({ kind: 'rotate-secret-key', who: o.who, command: o.commandLine, path: o.display, restart: true, fromVersion: from }, p.now())
  await transaction(p, o, j, result, o.hosts, async (owed) => {
    await p.confirm([
      `Rotate AUTHENTIK_SECRET_KEY in ${o.display} (now version ${from}):`,
      `  1. generate a new ${SECRET_KEY_LENGTH}-character key`,
      `  2. patch secret_key as version ${from + 1} (check-and-set on ${from})`,
      `  3. restart ${o.hosts.filter((h) => !owed.some((x) => x.host === h)).join(', ')} all at once (HA instances must share the key)`,
      ...owedLines(owed),
      `Warning: ${LOGOUT_WARNING}. Schedule a maintenance window.`,
      `Journal: ${p.journal.path}`,
    ])
    await save(p, j, 'vault-write', `patching version ${from + 1} with check-and-set on ${from}`)
    try {
      j.toVersion = (await p.vault.kvPatch(o.mount, o.key, { secret_key: next }, from)).version
    } catch (error) {
      if (writeRefused(error)) {
        await save(p, j, 'aborted', `Vault refused the write: ${error.message}`)
        throw casConflictError(error, o.display, from)
      }
      throw new VaultError(`${(error as Error).message}; whether version ${from + 1} was written is unknown`, {
        status: error instanceof VaultError ? error.status : undefined, cause: error,
        hint: `No host was restarted. Run authctl rotate-secret-key --resume once Vault answers: it reads Vault to find out and goes on (journal: ${p.journal.path}).`,
      })
    }
    result.versions.to = j.toVersion
    await save(p, j, 'propagate', `wrote version ${j.toVersion}`)
    p.reporter.event('*', `wrote version ${j.toVersion} of ${o.display}; restarting the locked hosts at once`)
  })
  return result
}
