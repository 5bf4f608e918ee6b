// Writes the answer an armed fault asks for: late, dropped, a standby's 307, an error status, or a hostile
// streamed body (slow drip, huge). Vault's own shapes where Vault has one (http/handler.go respondStandby).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { NO_ACTIVE_NODE, type FaultAction, type StreamRecord, type StreamSpec } from './faults.js'

// The request being answered and where streamed answers are recorded.
export interface FaultTarget {
  url: string // path and query as sent, e.g. /v1/secret/data/x?version=2
  path: string // below /v1/
  req: IncomingMessage
  res: ServerResponse
  streams: StreamRecord[]
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)), ...headers }).end(text)
}

const PREFIX = '{"pad":"'
const SUFFIX = '"}'

// Bytes [from, from+n) of a JSON body `total` bytes long: {"pad":"xxxx…"} (no suffix when endless).
function piece(from: number, n: number, total: number): Buffer {
  const buf = Buffer.alloc(n, 'x')
  for (let at = from; at < Math.min(from + n, PREFIX.length); at++) buf[at - from] = PREFIX.charCodeAt(at)
  const tail = total - SUFFIX.length
  if (Number.isFinite(total)) for (let at = Math.max(from, tail); at < from + n; at++) buf[at - from] = SUFFIX.charCodeAt(at - tail)
  return buf
}

function stream(spec: StreamSpec, t: FaultTarget): Promise<void> {
  const rec: StreamRecord = { path: t.path, bytesWritten: 0, startedAt: Date.now(), closedAt: null, clientHungUp: false }
  t.streams.push(rec)
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }
  if (spec.declareLength) headers['Content-Length'] = String(spec.bytes)
  t.res.writeHead(200, headers)
  t.res.flushHeaders()
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    t.res.on('close', () => {
      clearTimeout(timer)
      rec.closedAt = Date.now()
      rec.clientHungUp = !t.res.writableFinished
      resolve()
    })
    const write = (): void => {
      while (rec.closedAt === null && rec.bytesWritten < spec.bytes) {
        const n = Math.min(spec.chunkBytes, spec.bytes - rec.bytesWritten)
        const flowing = t.res.write(piece(rec.bytesWritten, n, spec.bytes))
        rec.bytesWritten += n
        if (spec.intervalMs > 0) return void (timer = setTimeout(write, spec.intervalMs))
        if (!flowing) return void t.res.once('drain', write)
      }
      if (rec.closedAt === null) t.res.end()
    }
    write()
  })
}

// Answers per the fault and returns true, or returns false when Vault itself should answer.
export async function answerFault(action: FaultAction, t: FaultTarget): Promise<boolean> {
  if (action.latencyMs > 0) await new Promise((r) => setTimeout(r, action.latencyMs))
  if (action.drop) {
    t.req.socket.destroy()
    return true
  }
  if (action.redirectBase === null) {
    json(t.res, 503, { errors: [NO_ACTIVE_NODE] })
    return true
  }
  if (action.redirectBase !== undefined) {
    t.res.writeHead(307, { Location: `${action.redirectBase}${t.url}`, 'Content-Length': '0' }).end()
    return true
  }
  if (action.stream) {
    await stream(action.stream, t)
    return true
  }
  if (action.status === undefined) return false
  json(t.res, action.status, action.body ?? { errors: [`injected fault: status ${action.status}`] }, action.headers)
  return true
}
