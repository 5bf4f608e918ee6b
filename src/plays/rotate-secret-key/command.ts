// Wires `authctl rotate-secret-key` to the inventory, Vault, the restart engine and the output.
import { formatRecap } from '../../output/recap.js'
import { restartRecap } from '../shared/rolling-restart.js'
import { printOutcomeError, withRotation, type RotationInput } from '../shared/rotation-wiring.js'
import { rotateSecretKey } from './play.js'
import type { SecretKeyResult } from './transaction.js'
import { journalStore } from '../shared/rotation-store.js'
import { secretKey } from '../../wiring/vault-ports.js'

const COMMAND = 'rotate-secret-key'

export interface RotateSecretKeyInput extends RotationInput {
  resume: boolean
}

export async function rotateSecretKeyCommand(input: RotateSecretKeyInput): Promise<SecretKeyResult> {
  return withRotation(COMMAND, input, async ({ session, vars, ports, hosts, restart }) => {
    const { key, display } = secretKey(vars, 'config')
    const journal = journalStore(COMMAND, { mount: vars.vaultKvMount, key, display }, { vault: ports.vault, reporter: session.reporter, env: session.env })
    const result = await rotateSecretKey({ ...ports, restart, journal, reporter: session.reporter, now: () => new Date() }, {
      mount: vars.vaultKvMount, key, display, hosts, resume: input.resume, who: session.who, commandLine: session.commandLine,
    })
    if (!input.json) {
      process.stdout.write(formatSecretKey(result))
      printOutcomeError(result.error)
    }
    return result
  })
}

// The report for people: versions, the warning, the hosts still owed, the journal, the restart recap.
export function formatSecretKey(r: SecretKeyResult): string {
  const lines = [`ROTATE SECRET KEY: ${r.status}${r.resumed ? ' (resumed)' : ''}  ${r.path} version ${r.versions.from} → ${r.versions.to ?? 'not written'}`, ...r.warnings.map((w) => `  warning: ${w}`)]
  if (r.owed.length > 0) lines.push(`  still on the previous key: ${r.owed.join(', ')}`)
  // an aborted run wrote no journal: naming the file would send the operator looking for nothing
  if (r.status !== 'aborted') lines.push(`  journal: ${r.journal}`)
  return lines.join('\n') + '\n' + formatRecap('RESTART', r.restart.hosts, restartRecap)
}
