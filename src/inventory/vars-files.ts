// group_vars/ and host_vars/ next to an inventory source, found and loaded as Ansible's host_group_vars
// plugin does (first of name, name.yml, name.yaml, name.json; directories walked in sorted order).
import { readdir, realpath, stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import { ConfigError } from '../errors.js'
import { decodeUtf8, readInventoryFile } from './limits.js'
import { isMapping, type VarRecord } from './value.js'

// One loaded vars file, with the line of each top-level key (for messages naming file:line).
export interface VarsFile {
  file: string
  vars: VarRecord
  lines: Record<string, number>
}

const EXTENSIONS = ['', '.yml', '.yaml', '.json']

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path)
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}

// _get_dir_vars_files: sorted, hidden and backup files skipped, extension-less subdirectories recursed.
async function dirFiles(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue
    const full = join(dir, entry)
    const ext = extname(entry)
    const kind = await kindOf(full)
    if (kind === 'dir' && !ext) found.push(...(await dirFiles(full)))
    else if (kind === 'file' && EXTENSIONS.includes(ext)) found.push(full)
  }
  return found
}

// find_vars_files: the first candidate that exists is the only one used.
export async function findVarsFiles(dir: string, name: string): Promise<string[]> {
  for (const ext of EXTENSIONS) {
    const candidate = join(dir, name + ext)
    const kind = await kindOf(candidate)
    if (kind === 'dir') return dirFiles(candidate)
    if (kind === 'file') return [candidate]
  }
  return []
}

// Load one vars file: YAML 1.1 or JSON, a mapping; ansible-vault files are refused with a clear message.
export async function loadVarsFile(file: string): Promise<Omit<VarsFile, 'file'> | undefined> {
  const text = decodeUtf8(await readInventoryFile(file), file)
  if (text.trimStart().startsWith('$ANSIBLE_VAULT')) {
    throw new ConfigError(`${file}:1: file is encrypted with ansible-vault, which authctl cannot decrypt`, {
      hint: 'Keep secrets in HashiCorp Vault (authctl reads them there), or decrypt the file with `ansible-vault decrypt`.',
    })
  }
  // loaded here, not at the top: most inventories have no group_vars/host_vars files
  const { keyLines, lineIndex, loadYamlDocument } = await import('./yaml-parser.js')
  const doc = loadYamlDocument(text, file)
  const value: unknown = doc.toJS({ maxAliasCount: 1000 })
  if (!value) return undefined
  if (!isMapping(value)) throw new ConfigError(`${file}:1: vars file must contain a mapping of variables, got ${Array.isArray(value) ? 'a list' : typeof value}`, { hint: 'Write `key: value` lines at the top level.' })
  return Object.keys(value).length === 0 ? undefined : { vars: value, lines: keyLines(doc, lineIndex(text)) }
}

// Vars of one group or host from `<baseDir>/<subdir>/`, in load order. Names starting with `/` are skipped, as in Ansible.
export async function loadEntityVars(baseDir: string, subdir: 'group_vars' | 'host_vars', name: string, cache: Map<string, VarsFile[]>): Promise<VarsFile[]> {
  if (name.startsWith(sep)) return []
  const key = `${baseDir}\0${subdir}\0${name}`
  const cached = cache.get(key)
  if (cached) return cached
  let dir = join(baseDir, subdir)
  const out: VarsFile[] = []
  if ((await kindOf(dir)) === 'dir') {
    dir = await realpath(dir)
    for (const file of await findVarsFiles(dir, name)) {
      const loaded = await loadVarsFile(file)
      if (loaded) out.push({ file, ...loaded })
    }
  }
  cache.set(key, out)
  return out
}
