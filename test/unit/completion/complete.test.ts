// What Tab offers, as exact lists: commands and topics, flags, fixed values, files, and the
// inventory's host and group names for -l (each --limit term completed on its own).
import { describe, expect, it } from 'vitest'
import { complete, inventoryGiven, type CommandSpec, type Completion } from '../../../src/completion/complete.js'

const flag = (name: string, type: 'boolean' | 'option', more: Partial<CommandSpec['flags'][string]> = {}) => ({ [name]: { name, type, ...more } })
const commands: CommandSpec[] = [
  { id: 'setup', summary: 'Deploy.', flags: { ...flag('inventory', 'option', { char: 'i' }), ...flag('limit', 'option', { char: 'l' }), ...flag('check', 'boolean'), ...flag('diff', 'boolean'), ...flag('secret', 'boolean', { hidden: true }) }, args: {} },
  { id: 'lock:status', summary: 'Who holds it.', flags: { ...flag('limit', 'option', { char: 'l' }) }, args: {} },
  { id: 'lock:release', summary: 'Clear it.', flags: {}, args: {} },
  { id: 'logs', flags: { ...flag('service', 'option', { options: ['vault-agent', 'server', 'worker'], multiple: true }), ...flag('follow', 'boolean', { char: 'f' }) }, args: {} },
  { id: 'rotate-db-password', flags: { ...flag('via', 'option'), ...flag('restart', 'boolean', { allowNo: true }) }, args: {} },
  { id: 'completion', flags: {}, args: { shell: { options: ['bash', 'zsh'] } } },
  { id: 'internal', hidden: true, flags: {}, args: {} },
]
const asked: (string | undefined)[] = []
const names = async (inventory: string | undefined) => {
  asked.push(inventory)
  return { hosts: ['web-1', 'web-2', 'db-1'], groups: ['all', 'web', 'db'] }
}
const values = (c: Completion) => (c.kind === 'files' ? ':files' : c.values.map((v) => v.value))
const tab = async (...words: string[]) => values(await complete(words, commands, names, { lock: 'The deploy lock.' }))

describe('complete', () => {
  it('offers top-level commands and topics, never a hidden command', async () => {
    expect(await tab('')).toEqual(['completion', 'lock', 'logs', 'rotate-db-password', 'setup'])
    expect(await tab('lo')).toEqual(['lock', 'logs'])
    const top = await complete([''], commands, names, { lock: 'The deploy lock.' })
    expect(top.kind === 'values' && top.values.find((v) => v.value === 'lock')?.description).toBe('The deploy lock.')
    expect(await tab('-')).toEqual(['--help', '--version'])
  })

  it('walks a topic to its commands, and offers nothing after an unknown word', async () => {
    expect(await tab('lock', '')).toEqual(['release', 'status'])
    expect(await tab('lock', 's')).toEqual(['status'])
    expect(await tab('nope', '')).toEqual([])
  })

  it('offers the flags not given yet (multiple ones again, --no- for negatable ones), never a hidden flag', async () => {
    expect(await tab('setup', '--')).toEqual(['--check', '--diff', '--help', '--inventory', '--limit'])
    expect(await tab('setup', '--check', '-i', 'x', '--')).toEqual(['--diff', '--help', '--limit'])
    expect(await tab('logs', '--service', 'server', '--s')).toEqual(['--service'])
    expect(await tab('rotate-db-password', '--r')).toEqual(['--restart'])
    expect(await tab('rotate-db-password', '--n')).toEqual(['--no-restart'])
  })

  it('offers a flag\'s or argument\'s fixed values, and file names for other values', async () => {
    expect(await tab('logs', '--service', 'v')).toEqual(['vault-agent'])
    expect(await tab('completion', '')).toEqual(['bash', 'zsh'])
    expect(await tab('setup', '-i', '')).toBe(':files')
    expect(await tab('setup', '--inventory', 'inv/')).toBe(':files')
  })

  it('offers groups and hosts for -l from the inventory the line names, one --limit term at a time', async () => {
    asked.length = 0
    expect(await tab('setup', '-i', 'site/hosts.ini', '-l', '')).toEqual(['all', 'web', 'db', 'web-1', 'web-2', 'db-1'])
    expect(await tab('setup', '--limit', 'we')).toEqual(['web', 'web-1', 'web-2'])
    expect(await tab('setup', '-l', 'web:!web-')).toEqual(['web:!web-1', 'web:!web-2'])
    expect(await tab('setup', '-l', 'db-1,&w')).toEqual(['db-1,&web', 'db-1,&web-1', 'db-1,&web-2'])
    expect(asked).toEqual(['site/hosts.ini', undefined, undefined, undefined])
    // a command without -i (lock status here) still reads the default inventory
    expect(await tab('lock', 'status', '-l', 'db')).toEqual(['db', 'db-1'])
  })

  it('offers only host names for a flag naming one host', async () => {
    expect(await tab('rotate-db-password', '--via', '')).toEqual(['web-1', 'web-2', 'db-1'])
  })
})

describe('inventoryGiven', () => {
  it('reads -i, -iPATH, --inventory PATH and --inventory=PATH; the last one wins', () => {
    expect(inventoryGiven(['-i', 'a'])).toBe('a')
    expect(inventoryGiven(['-ib'])).toBe('b')
    expect(inventoryGiven(['--inventory', 'c', '--check'])).toBe('c')
    expect(inventoryGiven(['-i', 'a', '--inventory=d'])).toBe('d')
    expect(inventoryGiven(['--check', '-i'])).toBeUndefined()
  })
})
