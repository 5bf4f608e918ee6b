// `authctl __complete WORD…` (run by the completion scripts on every Tab, without oclif: bin/run.js):
// prints one candidate a line as "value<TAB>description", or the single line ":files".
import { readFile } from 'node:fs/promises'
import { complete, type CommandSpec, type InventoryNames } from './complete.js'

// The manifest `npm run build` writes and package.json, at the package root two levels above dist/completion/.
const readRoot = async (name: string): Promise<unknown> => JSON.parse(await readFile(new URL(`../../${name}`, import.meta.url), 'utf8'))

async function readCommands(): Promise<{ commands: CommandSpec[]; topics: Record<string, string> }> {
  const manifest = (await readRoot('oclif.manifest.json')) as { commands: Record<string, CommandSpec> }
  const pjson = (await readRoot('package.json')) as { oclif?: { topics?: Record<string, { description?: string }> } }
  const topics = Object.fromEntries(Object.entries(pjson.oclif?.topics ?? {}).map(([name, t]) => [name, t.description ?? 'topic']))
  return { commands: Object.values(manifest.commands), topics }
}

// Names from the inventory the command line (or AUTHCTL_INVENTORY, or the default) names; none when it
// cannot be read: a completion never prints an error into the operator's command line.
const inventoryNames: InventoryNames = async (inventory) => {
  try {
    const { loadInventory } = await import('../inventory/load-inventory.js')
    const loaded = await loadInventory(inventory ?? process.env.AUTHCTL_INVENTORY ?? 'inventory/hosts.ini')
    return { hosts: loaded.hostNames(), groups: loaded.groupNames().filter((g) => g !== 'ungrouped') }
  } catch {
    return { hosts: [], groups: [] }
  }
}

export async function printCompletions(words: readonly string[]): Promise<void> {
  const { commands, topics } = await readCommands()
  const result = await complete(words.length === 0 ? [''] : words, commands, inventoryNames, topics)
  // a name with a control character (from a hostile inventory) is left out rather than typed into the shell
  const control = /[\p{Cc}\u2028\u2029]/u
  const lines = result.kind === 'files'
    ? [':files']
    : result.values.filter((c) => !control.test(c.value)).map((c) => (c.description ? `${c.value}\t${c.description.replace(new RegExp(control, 'gu'), ' ')}` : c.value))
  process.stdout.write(lines.length === 0 ? '' : lines.join('\n') + '\n')
}
