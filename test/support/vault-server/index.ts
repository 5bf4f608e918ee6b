// The Vault test server: a node:http server that speaks the subset of Vault's HTTP API described in
// shared/vault-api, with a controllable clock, seal/unseal, fault injection and a request log.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { builtinPolicies } from './builtin-policies.js'
import { createClock, type TestClock } from './clock.js'
import { handleControl } from './control.js'
import type { Reply } from './envelope.js'
import { answerFault } from './fault-reply.js'
import { createFaults, type Faults } from './faults.js'
import { handleVault } from './pipeline.js'
import type { HealthMode, ServerState } from './state.js'
import { issueToken } from './tokens.js'

const MAX_BODY = 32 * 1024 * 1024

// One request as received, for tests that assert what was (not) sent.
export interface RecordedRequest {
  method: string
  path: string // path and query exactly as sent
  headers: Record<string, string>
  body: string
}

// Options of startVaultServer.
export interface VaultServerOptions {
  host?: string
  port?: number
  rootToken?: string
}

// The handle tests get.
export interface VaultTestServer {
  addr: string
  rootToken: string
  clock: TestClock
  seal(): void
  unseal(): void
  // Health-reporting mode (standby, perfstandby, drsecondary, uninitialized) for sys/health variants.
  setMode(mode: HealthMode): void
  faults: Faults
  requests: RecordedRequest[]
  state: ServerState
  close(): Promise<void>
}

// The fresh state of an unsealed, initialised server with only the token auth method and KV v2 at secret/.
export function createState(rootToken: string): ServerState {
  const state: ServerState = {
    clock: createClock(),
    sealed: false,
    mode: 'active',
    rootToken,
    clusterId: randomUUID(),
    clusterName: `vault-cluster-${randomUUID().slice(0, 8)}`,
    tokens: new Map(),
    policies: builtinPolicies(),
    authMounts: new Map(),
    kv: new Map(),
    kvConfig: { maxVersions: 10, casRequired: false, deleteVersionAfter: 0 },
  }
  issueToken(state, { id: rootToken, policies: ['root'], path: 'auth/token/root', displayName: 'root' })
  return state
}

function loopbackOnly(host: string): void {
  if (!/^127\.\d+\.\d+\.\d+$/.test(host)) throw new Error(`the Vault test server binds to 127.0.0.0/8 only, not ${host}`)
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  if (reply.status === 204) {
    res.writeHead(204).end()
    return
  }
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body))
  res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) })
  res.end(head ? undefined : text)
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return null
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

// Starts a server on 127.0.0.1 (port 0 = ephemeral) and resolves once it listens.
export async function startVaultServer(opts: VaultServerOptions = {}): Promise<VaultTestServer> {
  const host = opts.host ?? '127.0.0.1'
  loopbackOnly(host)
  const rootToken = opts.rootToken ?? `hvs.root-${randomUUID()}`
  const state = createState(rootToken)
  const { faults, take } = createFaults()
  const requests: RecordedRequest[] = []

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const url = req.url ?? '/'
      requests.push({ method: req.method ?? '', path: url, headers: flatHeaders(req), body: body ?? '' })
      if (body === null) return send(res, { status: 413, body: { errors: ['http: request body too large'] } }, false)
      if (url.startsWith('/__test/')) return send(res, handleControl(state, url, req.headers['x-vault-token'], body), false)
      const faultPath = url.replace(/^\/v1\//, '').split('?')[0] ?? ''
      const fault = take((req.method ?? '').toUpperCase(), faultPath)
      if (await answerFault(fault, { url, path: faultPath, req, res, streams: faults.streams })) return
      const reply = handleVault(state, { method: req.method ?? 'GET', url, headers: req.headers, body, remoteAddress: req.socket.remoteAddress ?? '' })
      send(res, reply, req.method === 'HEAD')
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { errors: [`test server bug: ${(e as Error).message}`] } }, false)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    addr: `http://${host}:${port}`,
    rootToken,
    clock: state.clock,
    seal: () => void (state.sealed = true),
    unseal: () => void (state.sealed = false),
    setMode: (mode) => void (state.mode = mode),
    faults,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
