// A secret value that cannot leak by accident: string conversion, JSON and util.inspect all print a
// mask, and only an explicit reveal() gives the value (to be written over stdin or an HTTP body).
import { inspect } from 'node:util'

const MASK = '<redacted>'

// Wraps every credential authctl holds in memory (secret-ids, tokens, passwords).
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  // The raw value, for the few places that must send it (stdin of a remote write, a Vault request body).
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return MASK
  }

  toJSON(): string {
    return MASK
  }

  [inspect.custom](): string {
    return MASK
  }
}

// Replaces every occurrence of the given secret values in a text (for diffs, errors and remote output).
export function redact(text: string, secrets: Iterable<Secret | string>): string {
  let out = text
  for (const s of secrets) {
    const value = typeof s === 'string' ? s : s.reveal()
    if (value.length >= 4) out = out.split(value).join(MASK)
  }
  return out
}
