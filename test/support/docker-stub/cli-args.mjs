// @ts-check
// Argument parsing for `docker compose [global options] VERB [options] [args]`, cobra-style.
import { StubError, EXIT_SYNTAX } from './errors.mjs'

/**
 * @typedef {object} FlagSpec
 * @property {Record<string, string>} [bool]  flag -> canonical name (e.g. {'-d': 'detach', '--detach': 'detach'})
 * @property {Record<string, string>} [value] flag taking a value -> canonical name
 */

/**
 * @typedef {object} Parsed
 * @property {Record<string, string | boolean | string[]>} opts canonical name -> value (repeated values collect)
 * @property {string[]} rest positional arguments
 */

// Parses flags until the first positional when stopAtPositional (exec: the command's own flags are not ours).
/** @param {string[]} argv @param {FlagSpec} spec @param {string} where command path for the error @param {boolean} [stopAtPositional] @returns {Parsed} */
export function parseFlags(argv, spec, where, stopAtPositional = false) {
  /** @type {Parsed} */
  const out = { opts: {}, rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i])
    if (arg === '--') {
      out.rest.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        out.rest.push(...argv.slice(i))
        break
      }
      out.rest.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined
    const boolName = spec.bool?.[name]
    const valueName = spec.value?.[name]
    if (boolName !== undefined) {
      out.opts[boolName] = inline === undefined ? true : inline !== 'false'
    } else if (valueName !== undefined) {
      const value = inline ?? argv[++i]
      if (value === undefined) throw new StubError(`flag needs an argument: ${name}\nSee '${where} --help'.`, EXIT_SYNTAX)
      const prev = out.opts[valueName]
      out.opts[valueName] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value]
    } else if (!arg.startsWith('--') && arg.length > 2 && spec.bool?.[`-${arg[1]}`] !== undefined) {
      // combined short booleans such as -dT
      for (const ch of arg.slice(1)) {
        const b = spec.bool?.[`-${ch}`]
        if (b === undefined) throw new StubError(`unknown shorthand flag: '${ch}' in ${arg}\nSee '${where} --help'.`, EXIT_SYNTAX)
        out.opts[b] = true
      }
    } else {
      const msg = arg.startsWith('--') ? `unknown flag: ${name}` : `unknown shorthand flag: '${arg[1]}' in ${arg}`
      throw new StubError(`${msg}\nSee '${where} --help'.`, EXIT_SYNTAX)
    }
  }
  return out
}

// A single-valued option (the last one wins, as with cobra string flags).
/** @param {Parsed} parsed @param {string} name @returns {string | undefined} */
export function optString(parsed, name) {
  const v = parsed.opts[name]
  if (Array.isArray(v)) return v[v.length - 1]
  return typeof v === 'string' ? v : undefined
}

// A repeatable option as a list.
/** @param {Parsed} parsed @param {string} name @returns {string[]} */
export function optList(parsed, name) {
  const v = parsed.opts[name]
  if (Array.isArray(v)) return v
  return typeof v === 'string' ? [v] : []
}

// Global options of `docker compose` that come before the verb.
export const GLOBAL_FLAGS = {
  bool: { '--compatibility': 'compatibility', '--dry-run': 'dryRun' },
  value: {
    '-f': 'file', '--file': 'file', '-p': 'project', '--project-name': 'project',
    '--project-directory': 'projectDirectory', '--ansi': 'ansi', '--progress': 'progress',
    '--env-file': 'envFile', '--profile': 'profile', '--parallel': 'parallel',
  },
}
