// Values a user provides for the runbook's secrets, read from a file or stdin (`-`), never from argv:
// `key=value` lines, `#` comments and blank lines; each value taken verbatim after the first `=`.
import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { Secret } from '../util/secret.js'

// Reads all of stdin (for `--from-file -`).
async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

// Parses the text; every value is a Secret (the caller reveals the ones that are not secret).
export function parseValues(text: string, source: string, allowed: readonly string[]): Map<string, Secret> {
  const out = new Map<string, Secret>()
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.trimStart().startsWith('#')) return
    const at = `${source}:${i + 1}`
    const eq = line.indexOf('=')
    const key = eq < 0 ? line.trim() : line.slice(0, eq).trim()
    if (eq < 0) throw new ConfigError(`${at}: expected key=value, got a line without "=" (key ${JSON.stringify(key.slice(0, 40))})`, { hint: `Write one field a line, e.g. pg_user=authentik; fields: ${allowed.join(', ')}.` })
    if (!allowed.includes(key)) throw new ConfigError(`${at}: unknown field ${JSON.stringify(key.slice(0, 40))}`, { hint: `Fields: ${allowed.join(', ')}.` })
    if (out.has(key)) throw new ConfigError(`${at}: ${key} is given twice`, { hint: 'Keep one line per field.' })
    out.set(key, new Secret(line.slice(eq + 1)))
  })
  return out
}

// Reads `path` (or stdin for "-") and parses it.
export async function readValuesFile(path: string, allowed: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<Map<string, Secret>> {
  let text: string
  try {
    text = path === '-' ? await readStdin(stdin) : await readFile(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`--from-file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Give a readable file, or - for standard input.' })
  }
  return parseValues(text, path === '-' ? 'stdin' : path, allowed)
}
