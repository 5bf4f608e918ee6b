// Loads an OpenSSH client config (~/.ssh/config, -F PATH, AUTHCTL_SSH_CONFIG) into entries that are
// validated up front (errors name path:line) and evaluated per host later, as ssh re-reads it per host.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import { globPaths } from './ssh-config-glob.js'
import { argvSplit, LexError, splitConfigLine } from './ssh-config-lex.js'
import { parseMatchCriteria, type MatchCriterion } from './ssh-config-match.js'
import { parseOption, type OptionValue } from './ssh-config-values.js'

// One meaningful line of a config file, in file order; Include carries the files it pulled in.
export type ConfigEntry =
  | { kind: 'host'; origin: string; patterns: string[] }
  | { kind: 'match'; origin: string; criteria: MatchCriterion[] }
  | { kind: 'include'; origin: string; files: ConfigFile[] }
  | { kind: 'option'; origin: string; value: OptionValue }

// One parsed file.
export interface ConfigFile {
  path: string
  entries: ConfigEntry[]
}

// A whole config as ssh reads it for one invocation; `path` is undefined for `-F none` or a missing default file.
export interface SshConfig {
  path?: string
  files: ConfigFile[]
}

// readconf.c's READCONF_MAX_DEPTH.
const MAX_INCLUDE_DEPTH = 16

interface LoadState {
  homeDir: string
  uid: number
}

// Which file to read: -F flag, then AUTHCTL_SSH_CONFIG, then ~/.ssh/config (only the last may be missing).
export function sshConfigPath(opts: { flag?: string; env?: NodeJS.ProcessEnv; homeDir: string }): { path: string; required: boolean } {
  const explicit = opts.flag ?? opts.env?.AUTHCTL_SSH_CONFIG
  if (explicit !== undefined && explicit !== '') return { path: explicit, required: true }
  return { path: join(opts.homeDir, '.ssh', 'config'), required: false }
}

// ssh refuses user config files writable by others or owned by someone else (secure_permissions()).
async function checkPermissions(path: string, state: LoadState): Promise<void> {
  const st = await stat(path)
  if ((st.uid !== 0 && st.uid !== state.uid) || (st.mode & 0o022) !== 0) {
    throw new ConfigError(`Bad owner or permissions on ${path}`, { hint: `chmod go-w ${path} (ssh refuses it too)` })
  }
}

// An Include argument is anchored like ssh does for user configs: `~` is home, relative means ~/.ssh/.
function includePattern(arg: string, homeDir: string): string {
  if (arg === '~' || arg.startsWith('~/')) return homeDir + arg.slice(1)
  if (arg.startsWith('/')) return arg
  return join(homeDir, '.ssh', arg)
}

async function parseLine(text: string, origin: string, state: LoadState, depth: number): Promise<ConfigEntry | undefined> {
  const split = splitConfigLine(text)
  if (split === undefined) return undefined
  const { keyword, rest } = split
  if (keyword !== 'host' && keyword !== 'match' && keyword !== 'include') {
    const value = parseOption(keyword, rest, origin)
    return value === undefined ? undefined : { kind: 'option', origin, value }
  }
  let words: string[]
  try {
    words = argvSplit(rest)
  } catch (error) {
    throw new ConfigError(`${origin}: ${(error as LexError).message}`, { cause: error })
  }
  if (words.length === 0) throw new ConfigError(`${origin}: no argument after keyword "${keyword}"`)
  if (words.includes('')) throw new ConfigError(`${origin}: keyword ${keyword} empty argument`)
  if (keyword === 'host') return { kind: 'host', origin, patterns: words }
  if (keyword === 'match') return { kind: 'match', origin, criteria: parseMatchCriteria(words, origin) }
  const files: ConfigFile[] = []
  for (const word of words) {
    for (const path of await globPaths(includePattern(word, state.homeDir))) {
      files.push(await readConfigFile(path, state, depth + 1, true))
    }
  }
  return { kind: 'include', origin, files }
}

async function readConfigFile(path: string, state: LoadState, depth: number, checkPerm: boolean): Promise<ConfigFile> {
  if (depth > MAX_INCLUDE_DEPTH) throw new ConfigError(`${path}: too many recursive configuration includes (more than ${MAX_INCLUDE_DEPTH})`)
  if (checkPerm) await checkPermissions(path, state)
  const text = await readFile(path, 'utf8')
  const entries: ConfigEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const entry = await parseLine(lines[i] as string, `${path}:${i + 1}`, state, depth)
    if (entry !== undefined) entries.push(entry)
  }
  return { path, entries }
}

// Reads a config and everything it includes. A missing default file is an empty config; a missing -F file is an error.
export async function loadSshConfig(path: string, opts: { homeDir: string; required?: boolean; uid?: number }): Promise<SshConfig> {
  if (path === 'none') return { files: [] }
  const isDefault = path === join(opts.homeDir, '.ssh', 'config')
  const required = opts.required ?? !isDefault
  const state: LoadState = { homeDir: opts.homeDir, uid: opts.uid ?? process.getuid?.() ?? 0 }
  try {
    return { path, files: [await readConfigFile(path, state, 0, isDefault)] }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !required) return { files: [] }
    if (error instanceof ConfigError) throw error
    throw new ConfigError(`cannot read ssh config ${path}: ${(error as Error).message}`, {
      hint: 'check -F / AUTHCTL_SSH_CONFIG, or create the file',
      cause: error,
    })
  }
}
