// Helpers for tests of the Vault test server: raw HTTP calls, fixture loading, response-shape matching.
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The folder with the copied shared/vault-api fixtures.
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')

// A fixture file as far as the replay tests read it.
export interface Fixture {
  id: string
  method: string
  path: string
  response_status: number | string
  response_body: unknown
  error_responses?: { case: string; status: number; body: unknown }[]
  [k: string]: unknown
}

// Every fixture, by id.
export function loadFixtures(): Map<string, Fixture> {
  const out = new Map<string, Fixture>()
  for (const f of readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const fx = JSON.parse(readFileSync(join(FIXTURE_DIR, f), 'utf8')) as Fixture
    out.set(fx.id, fx)
  }
  return out
}

// One answer: status, parsed JSON body (null when empty) and the raw text.
export interface HttpReply {
  status: number
  body: unknown
  text: string
  headers: Headers
}

// Raw call against the server; token null sends no token header.
export async function call(addr: string, method: string, path: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<HttpReply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) }
  if (opts.token) headers['X-Vault-Token'] = opts.token
  // Bytes, not a string, so fetch adds no Content-Type of its own.
  let body: string | Blob | undefined = opts.rawBody === undefined ? undefined : new Blob([opts.rawBody])
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['Content-Type'] ??= 'application/json'
  }
  const res = await fetch(`${addr}/v1/${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let parsed: unknown = null
  if (text !== '') parsed = JSON.parse(text)
  return { status: res.status, body: parsed, text, headers: res.headers }
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

// Differences between a fixture body and a real answer: every key of the fixture must exist with the
// same JSON type (placeholders like "<uuid>" stand for any string); extra keys in the answer are fine.
export function shapeDiff(expected: unknown, actual: unknown, at = '$', ignore: string[] = []): string[] {
  if (ignore.includes(at)) return []
  const ek = kind(expected)
  const ak = kind(actual)
  if (ek !== ak) return [`${at}: expected ${ek}, got ${ak}`]
  if (ek === 'array') {
    const e = expected as unknown[]
    const a = actual as unknown[]
    return e.length > 0 && a.length > 0 ? shapeDiff(e[0], a[0], `${at}[0]`, ignore) : []
  }
  if (ek !== 'object') return []
  const out: string[] = []
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    const a = actual as Record<string, unknown>
    if (ignore.includes(`${at}.${k}`)) continue
    if (!(k in a)) out.push(`${at}.${k}: missing`)
    else out.push(...shapeDiff(v, a[k], `${at}.${k}`, ignore))
  }
  return out
}

// A request fetch() refuses to send (TRACE, or anything needing exact control), over node:http.
export function rawRequest(addr: string, method: string, path: string, token?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${addr}${path}`, { method, headers: token ? { 'X-Vault-Token': token } : {}, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.end()
  })
}
