// Narrowing of Vault's JSON into typed values; a wrong shape is Vault's (or a proxy's) fault, so VaultError.
import { VaultError } from '../errors.js'

function bad(what: string, at: string): never {
  throw new VaultError(`Unexpected answer from Vault for ${at}: ${what}`, { hint: 'Check that VAULT_ADDR points at Vault and not at a proxy or another service.' })
}

// An object (not null or an array).
export function asObject(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('expected an object', at)
  return v as Record<string, unknown>
}

// The envelope's `data` object.
export function dataOf(body: unknown, at: string): Record<string, unknown> {
  return asObject(asObject(body, at).data, at)
}

// A required string field.
export function asString(v: unknown, at: string): string {
  if (typeof v !== 'string') bad('expected a string', at)
  return v as string
}

// A required number field.
export function asNumber(v: unknown, at: string): number {
  if (typeof v !== 'number') bad('expected a number', at)
  return v as number
}

// A string map (metadata); null/absent → {}.
export function asStringMap(v: unknown, at: string): Record<string, string> {
  if (v === null || v === undefined) return {}
  const o = asObject(v, at)
  const out: Record<string, string> = {}
  for (const [k, val] of Object.entries(o)) out[k] = String(val)
  return out
}

// A list of strings; null/absent → [].
export function asStringList(v: unknown, at: string): string[] {
  if (v === null || v === undefined) return []
  if (!Array.isArray(v)) bad('expected a list', at)
  return (v as unknown[]).map(String)
}

// An RFC 3339 time; "" and Go's zero time (0001-01-01…) mean none.
export function asTime(v: unknown): Date | null {
  if (typeof v !== 'string' || v === '' || v.startsWith('0001-01-01')) return null
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}
