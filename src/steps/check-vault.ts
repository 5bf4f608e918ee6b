// Status checks against Vault: the deployed role-id is Vault's (compared by sha256, never shown),
// the host's secret-id is still known to Vault by its recorded accessor and not about to expire,
// and, with --login-test, the deployed credentials really log in.
import { createHash } from 'node:crypto'
import { stackPaths } from '../render/layout.js'
import { durationText, pass, problem, skip, type Check, type CheckInput } from './check.js'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

// Fails when the deployed role-id is not Vault's.
export function checkRoleId(input: CheckInput): Check {
  const have = input.facts.state.paths.get(stackPaths(input.host.root).credential('role-id'))
  if (have?.kind !== 'file') return skip('role-id', 'not compared: the role-id file is missing (see files)')
  if ('error' in input.roleId) return problem('role-id', 'fail', `not compared: Vault: ${input.roleId.error}`, { hint: 'Check VAULT_ADDR and that the token may read auth/approle/role/<role>/role-id.' })
  // setup writes the role-id with a newline; a hand-made file may lack it
  const role = input.roleId.value
  if (have.sha256 === sha256(role + '\n') || have.sha256 === sha256(role)) return pass('role-id', `matches Vault's role-id of AppRole ${input.host.role}`)
  return problem('role-id', 'fail', `differs from Vault's role-id of AppRole ${input.host.role}: the agent cannot log in`, {
    hint: `authctl setup -l ${input.host.name} deploys the right one.`,
  })
}

// Fails when Vault no longer knows the host's secret-id or it expired; warns within --warn-before.
export function checkSecretId(input: CheckInput): Check {
  const { host, facts, now } = input
  const renew = `authctl setup -l ${host.name} --new-secret-id gives the host a new secret-id (the old one is destroyed once healthy).`
  if (facts.state.paths.get(stackPaths(host.root).credential('secret-id'))?.kind !== 'file') {
    return problem('secret-id', 'fail', 'no secret-id file on the host', { hint: `authctl setup -l ${host.name} mints one.` })
  }
  const accessor = facts.state.secretIdAccessor
  if (accessor === undefined || input.secretId === undefined) {
    return problem('secret-id', 'warn', 'no accessor recorded for the deployed secret-id: its validity cannot be checked', { hint: renew })
  }
  if ('error' in input.secretId) return problem('secret-id', 'fail', `not checked: Vault: ${input.secretId.error}`, { data: { accessor } })
  const found = input.secretId.found
  if (found === null) {
    return problem('secret-id', 'fail', `Vault no longer knows the secret-id (accessor ${accessor}): expired, used up or destroyed`, {
      hint: `The agent cannot log in again once its token expires. ${renew}`, data: { accessor, expiresAt: null, remainingSeconds: 0 },
    })
  }
  if (found.expirationTime === null) return pass('secret-id', `valid, never expires (accessor ${accessor})`, { accessor, expiresAt: null, remainingSeconds: null })
  const left = found.expirationTime.getTime() - now.getTime()
  const data = { accessor, expiresAt: found.expirationTime.toISOString(), remainingSeconds: Math.max(0, Math.floor(left / 1000)) }
  const until = `${found.expirationTime.toISOString()}, accessor ${accessor}`
  if (left <= 0) return problem('secret-id', 'fail', `expired ${durationText(-left)} ago (${until})`, { hint: renew, data })
  if (left < input.warnBeforeMs) return problem('secret-id', 'warn', `expires in ${durationText(left)} (${until})`, { hint: renew, data })
  return pass('secret-id', `valid for ${durationText(left)} (until ${until})`, data)
}

// The result of --login-test (absent without it).
export function checkLoginTest(input: CheckInput): Check | undefined {
  const t = input.loginTest
  if (t === undefined) return undefined
  if ('skipped' in t) return skip('login-test', `not tried: ${t.skipped}`)
  if ('error' in t) {
    return problem('login-test', 'fail', `AppRole login with the deployed credentials failed: ${t.error}`, {
      hint: 'Each failed login counts toward the lockout of the shared role-id (5 in 15 minutes locks out every host).',
    })
  }
  const summary = `AppRole login with the deployed credentials succeeded (policies: ${t.ok.policies.join(', ')})`
  if (t.ok.revokeError === undefined) return pass('login-test', `${summary}; its token was revoked`)
  return problem('login-test', 'warn', `${summary}; its token could not be revoked (${t.ok.revokeError}) and lives ${durationText(t.ok.ttlSeconds * 1000)} more`)
}
