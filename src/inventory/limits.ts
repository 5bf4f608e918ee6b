// Bounds on what an inventory may ask of the loader, so a hostile or broken file fails as a ConfigError
// naming path:line instead of exhausting the stack (exit 1), memory or time.
import { open } from 'node:fs/promises'
import { ConfigError } from '../errors.js'

// How deep a value (INI) or a YAML/JSON document may nest; real inventories stay far below it.
export const MAX_VALUE_DEPTH = 64
// How many hosts one pattern (`web[001:100]`, one line) may stand for.
export const MAX_RANGE_HOSTS = 10_000

// How large one inventory or vars file may be: far above any real fleet (10,000 hosts with variables
// is about 2 MiB), and low enough that a hostile file cannot keep the YAML parser busy for minutes.
export const MAX_FILE_BYTES = 8 * 1024 * 1024

// The words every nesting refusal uses.
export const TOO_DEEP = `value nested deeper than ${MAX_VALUE_DEPTH} levels`

// The refusal of a file (or line) whose nesting passes MAX_VALUE_DEPTH.
export function tooDeepError(where: string): ConfigError {
  return new ConfigError(`${where}: ${TOO_DEEP}`, { hint: `Flatten the value: authctl reads at most ${MAX_VALUE_DEPTH} levels of lists and mappings.` })
}

// The refusal of a line holding bytes that are not UTF-8.
export function notUtf8Error(path: string, line: number): ConfigError {
  return new ConfigError(`${path}:${line}: line is not valid UTF-8`, { hint: 'Save the file as UTF-8.' })
}

// Decodes a whole file as UTF-8 or names the first line that is not (PyYAML refuses such files too,
// where a lenient decode would silently turn the bytes into U+FFFD).
export function decodeUtf8(buffer: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer)
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let line = 1
    for (let start = 0; start <= buffer.length; line++) {
      const end = buffer.indexOf(0x0a, start)
      const stop = end < 0 ? buffer.length : end
      try {
        decoder.decode(buffer.subarray(start, stop))
      } catch {
        throw notUtf8Error(path, line)
      }
      start = stop + 1
    }
    throw notUtf8Error(path, line - 1)
  }
}

// Reads an inventory or vars file, refusing one larger than MAX_FILE_BYTES; reads at most one byte more,
// so a device or FIFO given as an inventory cannot fill memory either.
export async function readInventoryFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    let want = (await handle.stat()).size + 1
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(want, 64 * 1024), MAX_FILE_BYTES + 1 - total))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) return Buffer.concat(chunks, total)
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      want = total
      if (total > MAX_FILE_BYTES) {
        throw new ConfigError(`${path}:1: file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, the most authctl reads`, {
          hint: 'Check that -i names the inventory; split a huge one into a directory of smaller files.',
        })
      }
    }
  } finally {
    await handle.close()
  }
}
