// Status checks against Vault: the deployed role-id is Vault's (compared by sha256, never shown),
// the host's secret-id is still known to Vault by its recorded accessor and not about to expire,
// and, with --login-test, the deployed credentials really log in.
import { createHash } from 'node:crypto'
import { stackPaths } from '../../stack/layout.js'
import { durationText, pass, problem, skip, type Check, type CheckInput } from './check.js'
import { heldSecretId } from '../../steps/secret-id-record.js'
import { ORPHAN_GRACE_MS } from '../shared/secret-id-orphans.js'

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

// Which secret-id the file holds (by sha256 against the host's record), whether a swap is unsettled,
// and whether Vault still has it for this host; warns within --warn-before.
export function checkSecretId(input: CheckInput): Check {
  const { host, facts, now } = input
  const renew = `authctl setup -l ${host.name} --new-secret-id gives the host a new secret-id (the old one is destroyed once healthy).`
  const have = facts.state.paths.get(stackPaths(host.root).credential('secret-id'))
  if (have?.kind !== 'file') {
    return problem('secret-id', 'fail', 'no secret-id file on the host', { hint: `authctl setup -l ${host.name} mints one.` })
  }
  const held = heldSecretId(facts.state.secretIdRecord, have.sha256)
  const accessor = held.accessor
  const base = { accessor, held: held.via, pending: held.pending }
  if (accessor === null || input.secretId === undefined) {
    if (!held.recorded) {
      return problem('secret-id', 'warn', 'the file holds a secret-id authctl did not record (deployed by Ansible or by hand?): which one, and its validity, cannot be checked', {
        hint: `authctl adopt -l ${host.name} --check shows how the host gets its own.`, data: base,
      })
    }
    return problem('secret-id', 'fail', `the file holds none of the secret-ids its record names${held.pending ? ` (a swap to accessor ${held.pending} did not finish and the file is neither)` : ''}: changed outside authctl`, {
      hint: renew, data: base,
    })
  }
  if ('error' in input.secretId) return problem('secret-id', 'fail', `not checked: Vault: ${input.secretId.error}`, { data: base })
  const found = input.secretId.found
  const which = held.via === 'pending'
    ? `the file holds the new secret-id of a swap that did not finish (accessor ${accessor}, recorded as pending)`
    : `the file holds accessor ${accessor}${held.via === 'legacy' ? ' (old record without checksum: not verified)' : ''}${held.pending ? `; a swap to accessor ${held.pending} did not finish and the file does not hold it` : ''}`
  if (found === null) {
    return problem('secret-id', 'fail', `${which}, and Vault no longer has it: expired, used up or destroyed`, {
      hint: `The agent cannot log in again once its token expires. ${renew}`, data: { ...base, expiresAt: null, remainingSeconds: 0 },
    })
  }
  const owner = found.metadata?.host
  if (owner !== undefined && owner !== host.name) {
    return problem('secret-id', 'fail', `${which}, which Vault says was minted for ${owner} (a cloned or tampered host?)`, { hint: `authctl regen-secret-id -l ${host.name} gives it its own.`, data: base })
  }
  if (held.via === 'pending' || held.pending) {
    return problem('secret-id', 'warn', which, { hint: `The next authctl setup -l ${host.name} (or regen-secret-id) settles the swap and destroys the secret-id the file does not hold.`, data: base })
  }
  if (found.metadata !== undefined && owner === undefined) {
    return problem('secret-id', 'warn', `${which}, whose metadata names no host (the Ansible-era shared one, or minted by hand)`, { hint: `authctl adopt --check shows how each host gets its own.`, data: base })
  }
  if (found.expirationTime === null) return pass('secret-id', `valid, never expires (${which})`, { ...base, expiresAt: null, remainingSeconds: null })
  const left = found.expirationTime.getTime() - now.getTime()
  const data = { ...base, expiresAt: found.expirationTime.toISOString(), remainingSeconds: Math.max(0, Math.floor(left / 1000)) }
  const until = `${found.expirationTime.toISOString()}, accessor ${accessor}`
  if (left <= 0) return problem('secret-id', 'fail', `expired ${durationText(-left)} ago (${until})`, { hint: renew, data })
  if (left < input.warnBeforeMs) return problem('secret-id', 'warn', `expires in ${durationText(left)} (${until})`, { hint: renew, data })
  return pass('secret-id', `valid for ${durationText(left)} (until ${until})`, data)
}

// Warns about secret-ids Vault has for this host that its file does not hold: live, but no host runs on them.
export function checkLeftLive(input: CheckInput): Check | undefined {
  const left = input.leftLive
  if (left === undefined) return undefined
  if ('error' in left) return skip('secret-id-left-live', `not checked: Vault: ${left.error}`)
  const shared = left.shared ?? []
  if (left.accessors.length === 0 && shared.length === 0) return pass('secret-id-left-live', 'Vault has no other secret-id minted for this host, and no shared one')
  const data = { count: left.accessors.length, shared: shared.length }
  if (left.accessors.length === 0) {
    return problem('secret-id-left-live', 'warn', `Vault still has shared secret-id(s) of role ${input.host.role} (metadata naming no host) that this host does not hold: ${shared.join(', ')}`, {
      hint: 'authctl adopt --check shows which hosts may still hold one; authctl adopt destroys them once none does.', data,
    })
  }
  return problem('secret-id-left-live', 'warn', `Vault has ${left.accessors.length} secret-id(s) minted for this host that its file does not hold: ${left.accessors.join(', ')}${shared.length > 0 ? `; and shared one(s) ${shared.join(', ')}` : ''}`, {
    hint: `authctl regen-secret-id -l ${input.host.name} destroys them (so does the next authctl setup -l ${input.host.name} that changes the host): those its record owes, and those authctl minted for it that no record names, once ${ORPHAN_GRACE_MS / 60_000} minutes old; one minted otherwise: vault write auth/approle/role/${input.host.role}/secret-id-accessor/destroy secret_id_accessor=<accessor>`,
    data,
  })
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
