// The environment a fixture replay scenario runs in: a fresh server plus helpers.
import { expect } from 'vitest'
import { startVaultServer, type VaultTestServer } from './index.js'
import { call, shapeDiff, type Fixture, type HttpReply } from './test-client.js'

// What a scenario gets.
export interface ScenarioEnv {
  server: VaultTestServer
  root: string
  v(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: string }): Promise<HttpReply>
  // A token with the given policies (plus default), issued by root.
  token(policies: string[], opts?: Record<string, unknown>): Promise<string>
  policy(name: string, text: string): Promise<void>
  enableApprole(): Promise<void>
}

// A request used for the generic error cases (permission denied, invalid token, sealed).
export interface ProbeRequest {
  method: string
  path: string
  body?: unknown
  headers?: Record<string, string>
}

// One fixture's replay: `run` checks the documented success and specific errors; `probe` (after `run`)
// is the request the generic 403/503 cases are tried with.
export interface Scenario {
  run(env: ScenarioEnv, fx: Fixture): Promise<void>
  probe?(env: ScenarioEnv): Promise<ProbeRequest>
}

// Starts a fresh server and builds the helpers.
export async function createEnv(): Promise<ScenarioEnv> {
  const server = await startVaultServer()
  const root = server.rootToken
  const env: ScenarioEnv = {
    server,
    root,
    v: (method, path, opts = {}) => call(server.addr, method, path, { token: root, ...opts }),
    async token(policies, opts = {}) {
      const r = await call(server.addr, 'POST', 'auth/token/create', { token: root, body: { policies, ...opts } })
      expect(r.status).toBe(200)
      return (r.body as { auth: { client_token: string } }).auth.client_token
    },
    async policy(name, text) {
      const r = await call(server.addr, 'PUT', `sys/policies/acl/${name}`, { token: root, body: { policy: text } })
      expect(r.status, r.text).toBe(204)
    },
    async enableApprole() {
      const r = await call(server.addr, 'POST', 'sys/auth/approle', { token: root, body: { type: 'approle' } })
      expect(r.status, r.text).toBe(204)
    },
  }
  return env
}

// Asserts status and shape against a fixture body.
export function expectShape(reply: HttpReply, status: number, expected: unknown, ignore: string[] = []): void {
  expect(reply.status, reply.text).toBe(status)
  expect(shapeDiff(expected, reply.body, '$', ignore)).toEqual([])
}

// The fixture's error case whose `case` text contains the fragment (fails loudly if the fixture changed).
export function errorCase(fx: Fixture, fragment: string): { status: number; body: unknown } {
  const found = fx.error_responses?.find((e) => e.case.includes(fragment))
  if (!found) throw new Error(`fixture ${fx.id} has no error case containing "${fragment}"`)
  return found
}

// Asserts an answer equals a fixture error case exactly, after filling the fixture's <placeholders>.
export function expectError(reply: HttpReply, fx: Fixture, fragment: string, fill: Record<string, string> = {}): void {
  const ec = errorCase(fx, fragment)
  let expected = JSON.stringify(ec.body)
  for (const [k, v] of Object.entries(fill)) expected = expected.split(`<${k}>`).join(v)
  expect(reply.status, reply.text).toBe(ec.status)
  expect(reply.body).toEqual(JSON.parse(expected))
}
