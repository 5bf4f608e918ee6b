// The only code that speaks HTTP to Vault. A small typed client over node:http/node:https instead of
// node-vault: node-vault 0.12 mutates its config-level headers (a rotated token is silently ignored),
// drops custom headers on update() (PATCH), ignores VAULT_CACERT and treats VAULT_SKIP_VERIFY=false as
// true (shared/reference/node-vault.md, libraries.md). node:https (not global fetch) because it takes
// the CA bundle directly; fetch would need an undici dispatcher we cannot import by name on Node 20.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Secret } from '../output/secret.js'
import type { VaultConfig } from './config.js'
import { httpError, transportError, type RequestDescription } from './vault-error.js'

// One call. `token: null` sends no token (login); undefined uses the client's token.
export interface VaultRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string // below /v1/, no leading slash; never a secret
  query?: Record<string, string>
  body?: unknown
  headers?: Record<string, string>
  token?: Secret | null
  // Values to scrub from any error text (secret-ids, KV values sent in the body).
  secrets?: readonly Secret[]
  // The ACL capability this call needs, for permission-denied messages; derived from the method if absent.
  capability?: string
  // Statuses handed back to the caller instead of becoming a VaultError.
  accept?: readonly number[]
}

// Status plus parsed JSON (null for an empty body).
export interface VaultResponse {
  status: number
  body: unknown
}

// Sends requests for one configuration and one token.
export interface VaultTransport {
  readonly config: VaultConfig
  readonly token: Secret | null
  send(req: VaultRequest): Promise<VaultResponse>
  withToken(token: Secret | null): VaultTransport
}

function defaultCapability(req: VaultRequest): string {
  if (req.query?.list === 'true') return 'list'
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return 'read'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return 'delete'
    default:
      return 'update'
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}

// Builds a transport; the agent carries the CA bundle and the verify setting for every call.
export function createTransport(config: VaultConfig, token: Secret | null = config.token): VaultTransport {
  const https = config.addr.startsWith('https:')
  const agent = https ? new HttpsAgent({ ca: config.caCert, rejectUnauthorized: !config.skipVerify }) : new HttpAgent()
  return makeTransport(config, token, agent)
}

function makeTransport(config: VaultConfig, token: Secret | null, agent: HttpAgent | HttpsAgent): VaultTransport {
  const send = async (req: VaultRequest): Promise<VaultResponse> => {
    const useToken = req.token === undefined ? token : req.token
    const desc: RequestDescription = {
      method: req.method,
      path: req.path,
      capability: req.capability ?? defaultCapability(req),
      addr: config.addr,
      secrets: [...(useToken ? [useToken] : []), ...(req.secrets ?? [])],
    }
    const url = new URL(`${config.addr}/v1/${req.path}`)
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v)
    const headers: Record<string, string> = { 'X-Vault-Request': 'true', ...req.headers }
    if (useToken) headers['X-Vault-Token'] = useToken.reveal()
    if (config.namespace) headers['X-Vault-Namespace'] = config.namespace
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body)
    if (payload !== undefined) {
      headers['Content-Type'] = req.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'
      headers['Content-Length'] = String(Buffer.byteLength(payload))
    }
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest
    let status: number
    let text: string
    try {
      ;({ status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = doRequest(url, { method: req.method, headers, agent, timeout: config.timeoutMs }, (res) => {
          readAll(res).then((t) => resolve({ status: res.statusCode ?? 0, text: t }), reject)
        })
        r.on('timeout', () => r.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })))
        r.on('error', reject)
        r.end(payload)
      }))
    } catch (error) {
      throw transportError(error, desc)
    }
    let body: unknown = null
    if (text !== '') {
      try {
        body = JSON.parse(text)
      } catch {
        body = { errors: [`non-JSON answer (${text.length} bytes)`] }
      }
    }
    if (status >= 400 && !(req.accept ?? []).includes(status)) throw httpError(status, body, desc)
    return { status, body }
  }
  return { config, token, send, withToken: (t) => makeTransport(config, t, agent) }
}
