// `authctl secrets init` wired to the CLI: values from --from-file (or stdin) and flags, Vault from the environment.
import { ConfigError } from '../../errors.js'
import { Secret } from '../../util/secret.js'
import { readValuesFile } from '../../secrets/values-file.js'
import { loadFleetVars, vaultPorts } from '../../wiring/vault-ports.js'
import { ALL_FIELDS, checkProvided, formatSecretsInit, runSecretsInit, type SecretsInitResult } from './play.js'

// Wires the command; provided values come from --from-file (or stdin) and the non-secret flags.
export async function secretsInitCommand(input: { inventory: string; check: boolean; force: boolean; yes: boolean; json: boolean; fromFile?: string; flags: Record<string, string | undefined> }): Promise<SecretsInitResult> {
  const vars = await loadFleetVars(input.inventory)
  const provided = input.fromFile === undefined ? new Map<string, Secret>() : await readValuesFile(input.fromFile, ALL_FIELDS)
  for (const [name, value] of Object.entries(input.flags)) {
    if (value === undefined) continue
    if (provided.has(name)) throw new ConfigError(`${name} is given both as a flag and in --from-file`, { hint: 'Give each field once.' })
    provided.set(name, new Secret(value))
  }
  const result = await runSecretsInit(vaultPorts('secrets init', input.yes), vars, checkProvided(provided), { check: input.check, force: input.force })
  if (!input.json) process.stdout.write(formatSecretsInit(result))
  return result
}
