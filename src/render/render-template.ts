// Runs one ejs template with an escape function for its file's syntax. Templates read variables as
// `v.name`; reading a name that does not exist throws instead of rendering "" (ejs's default).
import { readFile } from 'node:fs/promises'
import ejs from 'ejs'
import { ConfigError } from '../errors.js'

// The escape function `<%= %>` applies: returns a complete literal for the target syntax.
export type Escape = (value: unknown) => string

// Variables available to templates (nested plain objects are guarded too).
export type TemplateLocals = Readonly<Record<string, unknown>>

// Wraps locals so that any read of an unknown name throws, at every depth.
function strictLocals(locals: object, path: string): object {
  return new Proxy(locals, {
    get(target, key, receiver) {
      if (typeof key === 'symbol') return Reflect.get(target, key, receiver) as unknown
      if (!(key in target)) {
        throw new ConfigError(`template uses an unknown variable ${path}.${key}`, {
          hint: 'templates can read: ' + Object.keys(target).map((k) => `${path}.${k}`).join(', '),
        })
      }
      const value: unknown = Reflect.get(target, key, receiver)
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? strictLocals(value, `${path}.${key}`)
        : value
    },
  })
}

// Compiled templates for this process, per escape and (file, text): a run renders the same three
// templates for every host, and compiling is most of the cost (bench/results/notes.md).
const functions = new WeakMap<Escape, Map<string, (locals: unknown) => string>>()

// Renders `file` with `locals`; syntax errors and unknown variables become ConfigError naming the file.
export async function renderTemplate(file: string, locals: TemplateLocals, escape: Escape): Promise<string> {
  const source = await readFile(file, 'utf8')
  const key = `${file}\u0000${source}`
  const cache = functions.get(escape) ?? new Map<string, (locals: unknown) => string>()
  functions.set(escape, cache)
  try {
    const cached = cache.get(key)
    if (cached) return cached(strictLocals({ ...locals }, 'v'))
    const options: ejs.Options & { async: false; unsafePrototypeLocals: boolean } = {
      filename: file,
      strict: true,
      localsName: 'v',
      escape,
      // Needed so ejs passes our Proxy through instead of copying its keys (ejs 7; not in @types/ejs).
      unsafePrototypeLocals: true,
      async: false,
    }
    const render = ejs.compile(source, options) as (locals: unknown) => string
    cache.set(key, render)
    return render(strictLocals({ ...locals }, 'v'))
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`template ${file} failed: ${message}`, { cause: error })
  }
}
