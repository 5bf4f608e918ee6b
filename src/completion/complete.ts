// What Tab offers after `authctl …`: commands and topics, flags of the command, a flag's fixed values,
// and host and group names from the inventory for --limit (and flags naming one host). Pure: the
// shells' scripts (scripts.ts) only pass the words and show what this returns.

// One command as the oclif manifest describes it.
export interface CommandSpec {
  id: string
  summary?: string
  hidden?: boolean
  aliases?: string[]
  flags: Record<string, FlagSpec>
  args: Record<string, { options?: string[] }>
}

export interface FlagSpec {
  name: string
  char?: string
  type: 'boolean' | 'option'
  summary?: string
  options?: string[]
  hidden?: boolean
  multiple?: boolean
  allowNo?: boolean
}

// A value to offer, with what it is (zsh shows it; bash does not).
export interface Candidate {
  value: string
  description?: string
}

// Offer these values, or let the shell complete file names.
export type Completion = { kind: 'values'; values: Candidate[] } | { kind: 'files' }

// Host and group names of an inventory file (undefined: the default inventory).
export type InventoryNames = (inventory: string | undefined) => Promise<{ hosts: string[]; groups: string[] }>

// Flags whose value is a host or group pattern, or one host name.
const HOST_FLAGS = new Set(['limit', 'host', 'via'])

const none: Completion = { kind: 'values', values: [] }

// `words` are the words after `authctl` up to the cursor; the last is the one being completed ('' after a space).
// `topics` are the descriptions of the topics (package.json oclif.topics).
export async function complete(words: readonly string[], commands: readonly CommandSpec[], names: InventoryNames, topics: Record<string, string> = {}): Promise<Completion> {
  const current = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const visible = commands.filter((c) => !c.hidden)
  const { command, rest } = findCommand(before, visible)
  if (command === undefined) {
    if (rest.length > 0) return none // an unknown command: nothing sensible to offer
    const typed = before.join(':')
    if (current.startsWith('-')) return values(current, typed === '' ? [{ value: '--help', description: 'Show help.' }, { value: '--version', description: 'Show the version, the commit and the Node version.' }] : [{ value: '--help', description: 'Show help.' }])
    return values(current, nextWords(typed, visible, topics))
  }
  const flags = Object.values(command.flags).filter((f) => !f.hidden)
  const previous = rest.at(-1)
  const pending = previous === undefined ? undefined : valueFlag(previous, flags)
  if (pending !== undefined) return flagValues(pending, current, rest, flags, names)
  if (current.startsWith('-')) return values(current, flagCandidates(flags, rest))
  const argOptions = Object.values(command.args).find((a) => a.options !== undefined)?.options
  return argOptions === undefined ? none : values(current, argOptions.map((value) => ({ value })))
}

// Walks the words that name a command ("lock", "status"); what follows belongs to the command.
function findCommand(words: readonly string[], commands: readonly CommandSpec[]): { command?: CommandSpec; rest: string[] } {
  let id = ''
  for (let i = 0; i < words.length; i++) {
    const next = id === '' ? words[i]! : `${id}:${words[i]!}`
    const exact = commands.find((c) => c.id === next || c.aliases?.includes(next))
    if (exact !== undefined) return { command: exact, rest: words.slice(i + 1) }
    if (!commands.some((c) => c.id.startsWith(`${next}:`))) return { rest: words.slice(i) }
    id = next
  }
  return { rest: [] }
}

// The next word of every command id under the topic typed so far, with its summary or the topic's.
function nextWords(typed: string, commands: readonly CommandSpec[], topics: Record<string, string>): Candidate[] {
  const prefix = typed === '' ? '' : `${typed}:`
  const found = new Map<string, string | undefined>()
  for (const c of commands) {
    if (!c.id.startsWith(prefix)) continue
    const [word, ...more] = c.id.slice(prefix.length).split(':')
    if (word === undefined || word === '') continue
    if (more.length > 0) found.set(word, found.get(word) ?? topics[prefix + word] ?? 'topic')
    else found.set(word, c.summary)
  }
  return [...found].map(([value, description]) => ({ value, description })).sort((a, b) => a.value.localeCompare(b.value))
}

// The option flag a word names when it waits for a value (`-l`, `--limit`), else undefined.
function valueFlag(word: string, flags: readonly FlagSpec[]): FlagSpec | undefined {
  const flag = word.startsWith('--') ? flags.find((f) => `--${f.name}` === word) : /^-[A-Za-z]$/.test(word) ? flags.find((f) => f.char === word[1]) : undefined
  return flag?.type === 'option' ? flag : undefined
}

// Long flags not given yet (a `multiple` flag may come again), and --no-X for negatable ones.
function flagCandidates(flags: readonly FlagSpec[], given: readonly string[]): Candidate[] {
  const used = new Set(given.filter((w) => w.startsWith('-')).map((w) => w.split('=')[0]))
  const out: Candidate[] = []
  for (const f of flags) {
    const forms = [`--${f.name}`, ...(f.char === undefined ? [] : [`-${f.char}`])]
    if (!f.multiple && forms.some((form) => used.has(form))) continue
    out.push({ value: `--${f.name}`, description: f.summary })
    if (f.allowNo) out.push({ value: `--no-${f.name}`, description: f.summary })
  }
  if (!used.has('--help')) out.push({ value: '--help', description: 'Show help for this command.' })
  return out.sort((a, b) => a.value.localeCompare(b.value))
}

// A flag's value: its fixed options, host and group names, or a file name.
async function flagValues(flag: FlagSpec, current: string, given: readonly string[], flags: readonly FlagSpec[], names: InventoryNames): Promise<Completion> {
  if (flag.options !== undefined) return values(current, flag.options.map((value) => ({ value })))
  if (!HOST_FLAGS.has(flag.name)) return { kind: 'files' }
  const inventoryFlag = flags.find((f) => f.name === 'inventory')
  const { hosts, groups } = await names(inventoryFlag === undefined ? undefined : inventoryGiven(given))
  const named = [...groups.map((value) => ({ value, description: 'group' })), ...hosts.map((value) => ({ value, description: 'host' }))]
  if (flag.name !== 'limit') return values(current, named.filter((c) => c.description === 'host'))
  // Ansible's --limit is a list of patterns (`a,b`, `web:!web-3`, `&prod`): complete the last one.
  const cut = Math.max(current.lastIndexOf(','), current.lastIndexOf(':')) + 1
  const term = current.slice(cut)
  const sigil = /^[!&]/.test(term) ? term[0]! : ''
  const head = current.slice(0, cut) + sigil
  return values(current, named.map((c) => ({ ...c, value: head + c.value })))
}

// The inventory a command line names with -i/--inventory (the last one wins, as in oclif).
export function inventoryGiven(words: readonly string[]): string | undefined {
  let found: string | undefined
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if ((w === '-i' || w === '--inventory') && i + 1 < words.length) found = words[++i]
    else if (w.startsWith('--inventory=')) found = w.slice('--inventory='.length)
    else if (/^-i./.test(w)) found = w.slice(2)
  }
  return found
}

function values(current: string, candidates: readonly Candidate[]): Completion {
  return { kind: 'values', values: candidates.filter((c) => c.value.startsWith(current)) }
}
