// Replays every fixture of shared/vault-api (copied to test/support/vault-server/fixtures) against the
// Vault test server: the documented success shape, each reproducible error case, and the generic
// permission-denied / invalid-token / sealed answers every endpoint shares.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEnv, expectError, type Scenario, type ScenarioEnv } from '../support/vault-server/scenario-env.js'
import { approleScenarios } from '../support/vault-server/scenarios-approle.js'
import { kvScenarios } from '../support/vault-server/scenarios-kv.js'
import { sysScenarios } from '../support/vault-server/scenarios-sys.js'
import { FIXTURE_DIR, loadFixtures } from '../support/vault-server/test-client.js'

const scenarios: Record<string, Scenario> = { ...approleScenarios, ...kvScenarios, ...sysScenarios }
const fixtures = loadFixtures()
let env: ScenarioEnv | null = null

afterEach(async () => {
  await env?.server.close()
  env = null
})

describe('fixture set', () => {
  it('has a replay scenario for every fixture and no scenario without a fixture', () => {
    expect(fixtures.size).toBeGreaterThanOrEqual(26)
    expect([...fixtures.keys()].sort()).toEqual(Object.keys(scenarios).sort())
  })

  it('keeps the repository copies identical to shared/vault-api when that folder is present', () => {
    const shared = '/work/shared/vault-api'
    const compared = [...fixtures.keys()].filter((id) => existsSync(join(shared, `${id}.json`)))
    for (const id of compared) expect(readFileSync(join(FIXTURE_DIR, `${id}.json`), 'utf8'), id).toBe(readFileSync(join(shared, `${id}.json`), 'utf8'))
    expect(compared.length === 0 || compared.length === fixtures.size).toBe(true)
  })
})

describe.each([...fixtures.keys()])('fixture %s', (id) => {
  const fx = fixtures.get(id)!
  const scenario = scenarios[id]

  it('replays the documented request, response and error cases', async () => {
    env = await createEnv()
    await scenario!.run(env, fx)
  })

  const generic = (fx.error_responses ?? []).map((e) => e.case)
  const hasDenied = generic.some((c) => c.startsWith('token lacks') || c === 'token has update but not patch' || c === 'token has create/update but not sudo')
  const hasBadToken = generic.some((c) => c.startsWith('missing / expired'))
  const hasSealed = generic.includes('server sealed')
  if (scenario?.probe && (hasDenied || hasBadToken || hasSealed)) {
    it('answers the shared 403 and 503 cases exactly', async () => {
      env = await createEnv()
      await env.enableApprole()
      await env.v('POST', 'auth/approle/role/authentik', { body: { token_policies: 'x' } })
      const probe = await scenario.probe!(env)
      const send = (token: string | null) => env!.v(probe.method, probe.path, { token, body: probe.body, headers: probe.headers })
      const weak = await env.token([])
      if (hasDenied) {
        const c = generic.find((x) => x.startsWith('token lacks') || x.startsWith('token has'))!
        expectError(await send(weak), fx, c)
      }
      if (hasBadToken) {
        expectError(await send('hvs.not-a-token'), fx, 'missing / expired')
        expectError(await send(null), fx, 'missing / expired')
      }
      if (hasSealed) {
        env.server.seal()
        expectError(await send(env.root), fx, 'server sealed')
        env.server.unseal()
      }
    })
  }
})
