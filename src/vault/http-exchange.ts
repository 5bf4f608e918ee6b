// One HTTP exchange with Vault over node:http/https. It ends when `signal` aborts — connect, send, headers
// and body alike, so a server that drips a byte at a time cannot hold it open (a socket idle timeout
// would) — and it reads at most `maxBytes` of body, refusing a larger declared length before reading.
import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https'
import { DEADLINE_CODE, TOO_LARGE_CODE } from './vault-error.js'

// What to send, and the limits.
export interface ExchangeOptions {
  method: string
  headers: Record<string, string>
  payload?: string
  agent: HttpAgent | HttpsAgent
  signal: AbortSignal
  maxBytes: number
}

// Status, headers and the body as text.
export interface ExchangeResult {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

// Sends one request and reads the whole answer; rejects with an Error carrying `code`.
export function exchange(url: URL, o: ExchangeOptions): Promise<ExchangeResult> {
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (error: Error | null, result?: ExchangeResult): void => {
      if (settled) return
      settled = true
      o.signal.removeEventListener('abort', onAbort)
      if (error === null) return resolve(result!)
      req.destroy()
      reject(error)
    }
    const onAbort = (): void => finish(coded('VAULT_CLIENT_TIMEOUT reached', DEADLINE_CODE))
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(url, { method: o.method, headers: o.headers, agent: o.agent }, (res) => {
      const declared = Number(res.headers['content-length'] ?? 0)
      if (declared > o.maxBytes) return finish(coded(`declared a ${declared}-byte body`, TOO_LARGE_CODE))
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > o.maxBytes) return finish(coded(`body passed ${o.maxBytes} bytes`, TOO_LARGE_CODE))
        chunks.push(c)
      })
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (e) => finish(e))
      res.on('close', () => {
        if (!res.complete) finish(coded('connection closed before the answer was complete', 'ECONNRESET'))
      })
    })
    req.on('error', (e) => finish(e))
    if (o.signal.aborted) return onAbort()
    o.signal.addEventListener('abort', onAbort)
    req.end(o.payload)
  })
}
