// Wires `authctl rotate-secret-key` to the inventory, Vault, the restart engine and the output.
import { formatRecap } from '../output/recap.js'
import { restartRecap } from './restart.js'
import { printOutcomeError, withRotation, type RotationInput } from './rotation-wiring.js'
import { rotateSecretKey, type SecretKeyResult } from './secret-key-rotation.js'
import { secretKey } from './vault-command.js'

export async function rotateSecretKeyCommand(input: RotationInput): Promise<SecretKeyResult> {
  return withRotation('rotate-secret-key', input, async ({ session, vars, ports, hosts, restart }) => {
    const { key, display } = secretKey(vars, 'config')
    const result = await rotateSecretKey({ ...ports, restart, reporter: session.reporter }, { mount: vars.vaultKvMount, key, display, hosts })
    if (!input.json) {
      process.stdout.write(formatSecretKey(result))
      printOutcomeError(result.error)
    }
    return result
  })
}

// The report for people: versions, the warning, the restart recap.
export function formatSecretKey(r: SecretKeyResult): string {
  const lines = [`ROTATE SECRET KEY: ${r.status}  ${r.path} version ${r.versions.from} → ${r.versions.to}`, ...r.warnings.map((w) => `  warning: ${w}`)]
  return lines.join('\n') + '\n' + formatRecap('RESTART', r.restart.hosts, restartRecap)
}
