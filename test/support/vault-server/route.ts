// The contract between the request pipeline and the per-endpoint handlers.
import type { Reply } from './envelope.js'
import type { ServerState, TokenEntry } from './state.js'

// Everything a handler may look at for one request.
export interface Ctx {
  state: ServerState
  path: string // below /v1/, no query, no trailing-slash change
  method: string
  query: URLSearchParams
  body: Record<string, unknown>
  token: TokenEntry | null
  headerToken: string | undefined
  wrapTtl: number | null
  remoteAddress: string
}

export type Handler = (ctx: Ctx) => Reply

// One endpoint: a handler per logical operation, plus how Vault authorises it.
export interface Route {
  read?: Handler
  list?: Handler
  write?: Handler // POST/PUT (create or update)
  patch?: Handler
  delete?: Handler
  exists?: (ctx: Ctx) => boolean // existence check: true → update, false → create
  unauthenticated?: boolean
  sudo?: boolean
  unsupportedPath?: boolean // inside a mount but no such endpoint
  mountType?: string
}

// A request path inside a mount that matches no endpoint.
export const UNSUPPORTED: Route = { unsupportedPath: true }

// A string field of a JSON/form body, or undefined.
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' ? v : String(v)
}

// A list field: JSON array or comma-separated string (Vault's TypeCommaStringSlice).
export function list(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v.map(String).map((s) => s.trim()).filter((s) => s !== '')
  return String(v).split(',').map((s) => s.trim()).filter((s) => s !== '')
}

// Go strconv.ParseBool accepted spellings; undefined when absent, null when unparseable.
export function parseBool(v: unknown): boolean | undefined | null {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v === 'boolean') return v
  const s = String(v)
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  return null
}

// An integer field; NaN when present but not an integer.
export function int(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key]
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'number' ? v : Number(String(v))
  return Number.isInteger(n) ? n : Number.NaN
}
