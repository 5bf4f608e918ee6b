// Reading inventory sources: a file, a directory of files (Ansible's rules for which are skipped), or a
// comma-separated host list; each file goes to the YAML and INI parsers in Ansible's plugin order.
import { readdir, stat } from 'node:fs/promises'
import { dirname, extname, join } from 'node:path'
import { BugError, ConfigError } from '../errors.js'
import { parseAddress } from './host-range.js'
import { parseIni } from './ini-parser.js'
import { decodeUtf8, notUtf8Error, readInventoryFile } from './limits.js'
import { InventoryData } from './model.js'

// INVENTORY_IGNORE_EXTS (note `.ini`: a directory inventory ignores hosts.ini) and IGNORED_ALWAYS.
const IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry']
const IGNORED_NAMES = /^(?:\..*|host_vars|group_vars|vars_plugins)$/
const YAML_EXTS = ['.yml', '.yaml', '.json']
// Python's str.splitlines boundaries (FS/GS/RS included).
// eslint-disable-next-line no-control-regex -- these separators are exactly what Python splits on
const LINE_BREAK = new RegExp('\\r\\n|[\\n\\r\\v\\f\\u001c-\\u001e\\u0085\\u2028\\u2029]')

// Python's splitlines over UTF-8 text; non-UTF-8 bytes are tolerated in comment lines only.
export function decodeLines(buffer: Buffer, path: string): string[] {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).split(LINE_BREAK)
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true })
    return buffer.toString('latin1').split(LINE_BREAK).map((latin, i) => {
      if (latin[0] === '#' || latin[0] === ';') return ''
      try {
        return decoder.decode(Buffer.from(latin, 'latin1'))
      } catch {
        throw notUtf8Error(path, i + 1)
      }
    })
  }
}

// An inventory plugin as Ansible tries it: its name and how it reads the file into `data`.
interface Plugin {
  name: 'yaml' | 'ini'
  parse: (buffer: Buffer, path: string, data: InventoryData) => Promise<void>
}

// the yaml package is loaded only for YAML (an INI inventory never pays for it)
const YAML_PLUGIN: Plugin = { name: 'yaml', parse: async (buffer, path, data) => (await import('./yaml-parser.js')).parseYamlInventory(decodeUtf8(buffer, path), path, data) }
const INI_PLUGIN: Plugin = { name: 'ini', parse: async (buffer, path, data) => parseIni(decodeLines(buffer, path), path, data) }

// INVENTORY_ENABLED's file plugins in order: yaml takes .yml/.yaml/.json and extension-less files, ini takes any.
function pluginsFor(ext: string): Plugin[] {
  return ext === '' || YAML_EXTS.includes(ext) ? [YAML_PLUGIN, INI_PLUGIN] : [INI_PLUGIN]
}

// Parse one inventory file into `data` with the first of Ansible's plugins that reads it. When none does,
// the error of the format the name suggests (YAML for .yml/.yaml/.json, else INI) comes first, then the others'.
export async function parseInventoryFile(path: string, data: InventoryData): Promise<void> {
  const buffer = await readInventoryFile(path)
  const ext = extname(path)
  if (ext === '.toml') throw new ConfigError(`${path}:1: TOML inventories are not supported by authctl`, { hint: 'Convert it to INI or YAML (ansible-inventory -i FILE --list -y).' })
  const plugins = pluginsFor(ext)
  const failures: Array<{ plugin: Plugin; error: ConfigError }> = []
  for (const plugin of plugins) {
    try {
      return await plugin.parse(buffer, path, data)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      failures.push({ plugin, error })
    }
  }
  const expected = ext === '' ? 'ini' : plugins[0]?.name
  const [primary, ...others] = [...failures].sort((a, b) => Number(b.plugin.name === expected) - Number(a.plugin.name === expected))
  if (!primary) throw new BugError(`no inventory plugin was tried for ${path}`)
  if (others.length === 0) throw primary.error
  const also = others.map((o) => `Ansible's ${o.plugin.name} plugin cannot read it either: ${o.error.message.split('\n')[0]?.slice(0, 600) ?? ''}`)
  throw new ConfigError([primary.error.message, ...also].join('\n'), {
    hint: `${primary.error.hint ?? ''} Ansible tries its ${plugins.map((p) => p.name).join(' then its ')} plugin on a file named like this one; write the file in one of those formats.`.trim(),
  })
}

async function parseDirectory(dir: string, data: InventoryData): Promise<void> {
  for (const entry of (await readdir(dir)).sort()) {
    if (IGNORED_NAMES.test(entry) || IGNORED_EXTS.some((e) => entry.endsWith(e))) continue
    const full = join(dir, entry)
    const s = await stat(full)
    if (s.isDirectory()) await parseDirectory(full, data)
    else if (s.isFile()) await parseInventoryFile(full, data)
  }
}

// Parse an -i argument; returns the directory whose group_vars/ and host_vars/ apply (undefined for a host list).
export async function parseSource(source: string, data: InventoryData): Promise<string | undefined> {
  const s = await stat(source).catch(() => undefined)
  if (!s) {
    if (source.includes(',')) {
      for (const item of source.split(',').map((h) => h.trim()).filter(Boolean)) {
        const parsed = parseAddress(item) ?? { host: item }
        data.addHost(parsed.host, 'ungrouped', parsed.port, source)
      }
      return undefined
    }
    throw new ConfigError(`inventory ${source} does not exist`, { hint: 'Pass -i PATH (or set AUTHCTL_INVENTORY) to an INI or YAML inventory.' })
  }
  if (s.isDirectory()) {
    await parseDirectory(source, data)
    return source
  }
  await parseInventoryFile(source, data)
  return dirname(source)
}
