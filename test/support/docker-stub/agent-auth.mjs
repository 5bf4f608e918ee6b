// @ts-check
// AppRole auto-auth as Vault Agent does it (command/agentproxyshared/auth/approle/approle.go):
// read role-id/secret-id files as the agent's user, maybe delete the secret-id file, then log in.
import fs from 'node:fs'
import path from 'node:path'
import { resolvePath, access } from './container-view.mjs'
import { hclog } from './agent-log.mjs'
import { vaultRequest, responseErrorText } from './vault-http.mjs'

/** @typedef {import('./container-view.mjs').Identity} Identity */
/** @typedef {{state: import('./store.mjs').ProjectState, container: import('./store.mjs').Container, who: Identity, log: (lines: string[]) => void}} AgentCtx */

// os.Stat + os.ReadFile through the container's mounts: 'absent' when stat fails, else the content or an error text.
/** @param {AgentCtx} ctx @param {string} cpath @returns {{kind: 'absent'} | {kind: 'error', message: string} | {kind: 'ok', text: string}} */
function readAsAgent(ctx, cpath) {
  const r = resolvePath(ctx.state, ctx.container, cpath)
  if (!r) return { kind: 'absent' }
  const stat = access(r, ctx.who, 0)
  if (stat !== 'ok') return { kind: 'absent' }
  if (access(r, ctx.who, 4) !== 'ok') return { kind: 'error', message: `open ${cpath}: permission denied` }
  return { kind: 'ok', text: fs.readFileSync(r.host, 'utf8') }
}

// Deleting needs a writable mount and w+x on the directory, checked as the agent's user.
/** @param {AgentCtx} ctx @param {string} cpath @returns {string | null} error text */
function removeAsAgent(ctx, cpath) {
  const r = resolvePath(ctx.state, ctx.container, cpath)
  if (!r) return `remove ${cpath}: no such file or directory`
  if (r.readOnly) return `remove ${cpath}: read-only file system`
  const dir = { ...r, host: path.dirname(r.host) }
  if (r.host === r.mountRoot) return `remove ${cpath}: device or resource busy`
  if (access(dir, ctx.who, 3) !== 'ok') return `remove ${cpath}: permission denied`
  fs.rmSync(r.host, { force: true })
  return null
}

/** @param {string} backoff */
function failure(/** @type {AgentCtx} */ ctx, /** @type {string} */ msg, /** @type {string} */ err, backoff) {
  ctx.log(hclog('ERROR', 'agent.auth.handler', msg, [['error', err], ['backoff', backoff]]))
  return null
}

// Runs one Authenticate() + login; returns the client token, or null after logging Agent's error lines.
/** @param {AgentCtx} ctx @param {import('./agent-config.mjs').AgentConfig} cfg @param {string} address @param {Buffer | undefined} ca @returns {Promise<string | null>} */
export async function authenticate(ctx, cfg, address, ca) {
  const backoff = cfg.minBackoff
  ctx.log(hclog('INFO', 'agent.auth.handler', 'authenticating'))
  const methodErr = (/** @type {string} */ e) => failure(ctx, 'error getting path or data from method', e, backoff)
  const role = readAsAgent(ctx, cfg.roleIdPath)
  if (role.kind === 'error') return methodErr(`error reading role ID file and no cached role ID known: ${role.message}`)
  if (role.kind === 'ok' && role.text.trim() === '') return methodErr('role ID file empty and no cached role ID known')
  if (role.kind === 'absent') return methodErr('no known role ID')
  const roleId = role.kind === 'ok' ? role.text.trim() : ''
  let secretId = ''
  if (cfg.secretIdPath) {
    const secret = readAsAgent(ctx, cfg.secretIdPath)
    if (secret.kind === 'error') return methodErr(`error reading secret ID file and no cached secret ID known: ${secret.message}`)
    if (secret.kind === 'ok' && secret.text.trim() === '') return methodErr('secret ID file empty and no cached secret ID known')
    if (secret.kind === 'ok') {
      secretId = secret.text.trim()
      if (cfg.removeSecretIdFile) {
        const err = removeAsAgent(ctx, cfg.secretIdPath)
        if (err) ctx.log(hclog('ERROR', 'agent.auth.approle', 'error removing secret ID file after reading', [['error', err]]))
      }
    }
    if (!secretId) return methodErr('no known secret ID')
  }
  const url = `${address.replace(/\/+$/, '')}/v1/${cfg.mountPath}/login`
  /** @type {Record<string, string>} */
  const body = { role_id: roleId }
  if (secretId) body.secret_id = secretId
  let res
  try {
    res = await vaultRequest('PUT', url, { body, ca })
  } catch (err) {
    return failure(ctx, 'error authenticating', /** @type {Error} */ (err).message, backoff)
  }
  const auth = /** @type {{auth?: {client_token?: unknown}}} */ (typeof res.body === 'object' && res.body !== null ? res.body : {}).auth
  if (res.status >= 400 || typeof auth?.client_token !== 'string') {
    return failure(ctx, 'error authenticating', res.status >= 400 ? responseErrorText('PUT', url, res) : 'no client token in response', backoff)
  }
  ctx.log(hclog('INFO', 'agent.auth.handler', 'authentication successful, sending token to sinks'))
  ctx.log(hclog('INFO', 'agent.auth.handler', 'starting renewal process'))
  return auth.client_token
}
