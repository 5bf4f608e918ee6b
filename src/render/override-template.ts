// Renders an override template (templates/ beside the inventory), which may come from someone else's
// checkout: it is read as a small regular UTF-8 file, parsed by override-syntax.ts, and filled in
// with own properties of the values authctl passes in. No code in it ever runs.
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { type Secret, redact } from '../util/secret.js'
import { type OverridePiece, parseOverride } from './override-syntax.js'
import type { Escape, TemplateLocals } from './render-template.js'

// Larger than any sensible config template; a bigger file is a mistake or an attack.
export const OVERRIDE_MAX_BYTES = 256 * 1024

const NOT_A_FILE = 'an override must be a regular file of at most 256 KiB in the templates/ folder beside the inventory'

// Reads an override without following a symlink or blocking on a FIFO; refuses anything but text.
export async function readOverride(file: string): Promise<string> {
  let handle
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const what = code === 'ELOOP' ? 'is a symbolic link' : `cannot be opened (${code})`
    throw new ConfigError(`${file} ${what}`, { hint: NOT_A_FILE })
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new ConfigError(`${file} is not a regular file`, { hint: NOT_A_FILE })
    if (info.size > OVERRIDE_MAX_BYTES) throw new ConfigError(`${file} is ${info.size} bytes, more than ${OVERRIDE_MAX_BYTES}`, { hint: NOT_A_FILE })
    // One byte more than the cap, so a file that grows while we read is still caught.
    const buffer = Buffer.alloc(OVERRIDE_MAX_BYTES + 1)
    let filled = 0
    for (let n = -1; n !== 0 && filled < buffer.length; filled += n) n = (await handle.read(buffer, filled, buffer.length - filled, filled)).bytesRead
    return decode(file, buffer.subarray(0, filled))
  } finally {
    await handle.close()
  }
}

function decode(file: string, bytes: Buffer): string {
  if (bytes.length > OVERRIDE_MAX_BYTES) throw new ConfigError(`${file} grew past ${OVERRIDE_MAX_BYTES} bytes while being read`, { hint: NOT_A_FILE })
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ConfigError(`${file} is not valid UTF-8`, { hint: 'Save the override as UTF-8 text.' })
  }
  const control = /[^\P{Cc}\t\n\r]|[\u2028\u2029]/u.exec(text)
  if (control !== null) {
    const line = text.slice(0, control.index).split('\n').length
    const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
    throw new ConfigError(`${file}:${line}: control character ${code} in a template`, { hint: 'Remove it: a config file needs only text, tabs and newlines.' })
  }
  return text
}

// Every variable path the locals offer, for the hint of an unknown-variable error.
function variablePaths(value: object, prefix: string): string[] {
  return Object.entries(value).flatMap(([key, inner]) =>
    inner !== null && typeof inner === 'object' ? variablePaths(inner as object, `${prefix}.${key}`) : [`${prefix}.${key}`],
  )
}

// Looks `path` up as own properties of plain objects only: `constructor`, `__proto__` and friends
// are unknown names here, so no reference to a function or a prototype can be reached.
function lookup(locals: TemplateLocals, path: readonly string[], file: string, line: number): unknown {
  let value: unknown = locals
  for (const [depth, key] of path.entries()) {
    const plain = value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)
    if (!plain || !Object.hasOwn(value as object, key)) {
      throw new ConfigError(`${file}:${line}: unknown variable v.${path.slice(0, depth + 1).join('.')}`, {
        hint: `an override can read: ${variablePaths(locals, 'v').join(', ')}`,
      })
    }
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

// Refuses output holding a secret authctl holds, unless one substituted variable carried it whole.
function checkSecrets(file: string, pieces: ReadonlyArray<OverridePiece & { out: string }>, secrets: readonly Secret[]): void {
  const output = pieces.map((p) => p.out).join('')
  for (const secret of secrets) {
    const value = secret.reveal()
    if (value.length < 4) continue
    const at = output.indexOf(value)
    if (at === -1 || pieces.some((p) => p.kind === 'variable' && p.out.includes(value))) continue
    let offset = 0
    const piece = pieces.find((p) => (offset += p.out.length) > at) ?? pieces[0]!
    const line = piece.kind === 'text' ? piece.line + piece.text.slice(0, at - (offset - piece.out.length)).split('\n').length - 1 : piece.line
    throw new ConfigError(`${file}:${line}: this override would write a secret authctl holds (such as the Vault token) into a file`, {
      hint: 'An override may put a value into a file only through <%= v.name %>; remove the text that came from elsewhere.',
    })
  }
}

// Renders an override: text as it is, each substitution through `escape`; errors name file:line and
// never carry a secret (a tag or a name is quoted in them, and the file is not ours).
export function renderOverride(file: string, source: string, locals: TemplateLocals, escape: Escape, secrets: readonly Secret[]): string {
  try {
    const pieces = parseOverride(source, file, (text) => redact(text, secrets)).map((piece) => {
      if (piece.kind === 'text') return { ...piece, out: piece.text }
      const value = lookup(locals, piece.path, file, piece.line)
      try {
        return { ...piece, out: escape(value) }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new ConfigError(`${file}:${piece.line}: v.${piece.path.join('.')}: ${message}`, {
          hint: 'the variable is not set for this host, or is not text; compare with the package templates/ folder',
        })
      }
    })
    checkSecrets(file, pieces, secrets)
    return pieces.map((p) => p.out).join('')
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new ConfigError(redact(error.message, secrets), { hint: error.hint === undefined ? undefined : redact(error.hint, secrets) })
  }
}

// Reads and renders one override file.
export async function renderOverrideFile(file: string, locals: TemplateLocals, escape: Escape, secrets: readonly Secret[]): Promise<string> {
  return renderOverride(file, await readOverride(file), locals, escape, secrets)
}
