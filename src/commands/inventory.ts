// `authctl inventory`: ansible-inventory's --list/--host/--graph for authctl's own reading of the
// inventory, so operators can diff the two and see exactly which hosts and values authctl will use.
import { existsSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { ConfigError } from '../errors.js'
import { toJsonText, type InventoryValue } from '../inventory/value.js'

export default class Inventory extends BaseCommand {
  static override summary = 'Show the inventory as authctl reads it (same output as ansible-inventory).'
  static override description = 'Reads an Ansible INI or YAML inventory with group_vars/ and host_vars/ and prints it like ansible-inventory: --list (JSON), --host NAME (merged vars) or --graph [GROUP].'
  static override examples = ['<%= config.bin %> inventory --list -i inventory/hosts.ini', '<%= config.bin %> inventory --graph authentik', '<%= config.bin %> inventory --host authentik-1']

  static override args = {
    group: Args.string({ description: 'Group to start the --graph at (default all).', required: false }),
  }

  static override flags = {
    inventory: Flags.string({ char: 'i', summary: 'Inventory file or directory (Ansible INI or YAML); default ./inventory/hosts.ini.', env: 'AUTHCTL_INVENTORY' }),
    limit: Flags.string({ char: 'l', summary: 'Only these hosts or groups (Ansible --limit syntax).', env: 'AUTHCTL_LIMIT' }),
    list: Flags.boolean({ summary: 'Print all groups and hosts with merged vars as ansible-inventory --list JSON.', exclusive: ['host', 'graph'] }),
    host: Flags.string({ summary: 'Print the merged vars of one host as JSON.', exclusive: ['list', 'graph'] }),
    graph: Flags.boolean({ summary: 'Print the group tree (optionally from GROUP).', exclusive: ['list', 'host'] }),
    export: Flags.boolean({ summary: 'With --list: group vars under each group, only host-own vars under _meta.' }),
  }

  // --json output keeps integers beyond 2^53 exact (JSON.stringify, which oclif uses, refuses bigints).
  override logJson(json: unknown): void {
    process.stdout.write(toJsonText(json as InventoryValue, 2) + '\n')
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Inventory)
    const path = flags.inventory ?? (existsSync('inventory/hosts.ini') ? 'inventory/hosts.ini' : undefined)
    if (path === undefined) throw new ConfigError('no inventory given and ./inventory/hosts.ini does not exist', { hint: 'Pass -i PATH or set AUTHCTL_INVENTORY.' })
    if (!flags.list && !flags.graph && flags.host === undefined) throw new ConfigError('one of --list, --host NAME or --graph is required', { hint: 'Run authctl inventory --list.' })
    const { loadInventory } = await import('../inventory/load-inventory.js')
    const { dumpJson } = await import('../inventory/ansible-json.js')
    const inventory = await loadInventory(path)
    if (flags.graph) {
      const graph = inventory.graph(args.group)
      if (!this.jsonEnabled()) process.stdout.write(graph + '\n')
      return { graph }
    }
    const result = flags.host === undefined ? inventory.toListJson({ export: flags.export, limit: flags.limit }) : inventory.hostJson(flags.host)
    if (!this.jsonEnabled()) process.stdout.write(dumpJson(result) + '\n')
    return result
  }
}
