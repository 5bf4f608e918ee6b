// `authctl secrets show` wired to the CLI: Vault from the environment, --reveal only on a terminal.
import { ConfigError } from '../../errors.js'
import { loadFleetVars, vaultPorts } from '../../wiring/vault-ports.js'
import { formatSecretsShow, runSecretsShow, type SecretsShowResult } from './play.js'

// Wires the command; --reveal needs a terminal on stdout and no --json.
export async function secretsShowCommand(input: { inventory: string; reveal: boolean; json: boolean }): Promise<SecretsShowResult> {
  if (input.reveal && (input.json || !process.stdout.isTTY)) {
    throw new ConfigError('--reveal prints secret values and works only on a terminal, without --json', { hint: 'Run it in an interactive terminal, or compare fingerprints instead (printf %s "$VALUE" | sha256sum | cut -c1-12).' })
  }
  const vars = await loadFleetVars(input.inventory)
  const revealed = new Map<string, string>()
  const result = await runSecretsShow(vaultPorts('secrets show', false), vars, input.reveal ? (path, name, value) => revealed.set(`${path} ${name}`, value.reveal()) : undefined)
  if (!input.json) process.stdout.write(formatSecretsShow(result, revealed))
  process.exitCode = result.exitCode
  return result
}
