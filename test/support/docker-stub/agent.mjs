// @ts-check
// Vault Agent emulation: a container whose command is `vault agent -config=PATH` logs in and renders its
// templates synchronously when it starts (no background process; the "process" is container state).
import fs from 'node:fs'
import { resolvePath, access, resolveIdentity } from './container-view.mjs'
import { hclog } from './agent-log.mjs'
import { parseAgentConfig } from './agent-config.mjs'
import { authenticate } from './agent-auth.mjs'
import { renderTemplates } from './agent-templates.mjs'
import { appendLog } from './store.mjs'

// The -config path when the container runs Vault Agent (entrypoint + command, `vault agent` or `agent`).
/** @param {import('./compose-normalize.mjs').Service} spec @returns {string | null} */
export function agentConfigPath(spec) {
  const argv = [...(spec.entrypoint ?? []), ...(spec.command ?? [])]
  const at = argv.indexOf('agent')
  if (at < 0 || (at > 0 && !/(^|\/)vault$/.test(argv[at - 1] ?? ''))) return null
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i] ?? ''
    const m = a.match(/^--?config=(.*)$/)
    if (m) return m[1] ?? ''
    if ((a === '-config' || a === '--config') && argv[i + 1]) return argv[i + 1] ?? ''
  }
  return null
}

const BANNER = [
  '==> Vault Agent started! Log data will stream in below:',
  '',
  '==> Vault Agent configuration:',
  '',
  '           Api Address 1: http://bufconn',
  '                     Cgo: disabled',
  '               Log Level: info',
  '                 Version: Vault v1.17.6 (docker-stub)',
  '',
]

// Starts the agent "process"; returns an exit code when it would exit at once, or null while it keeps running.
/** @param {import('./store.mjs').ProjectState} state @param {import('./store.mjs').Container} container @returns {Promise<number | null>} */
export async function startAgent(state, container) {
  const configPath = agentConfigPath(container.spec)
  if (configPath === null) return null
  const log = (/** @type {string[]} */ lines) => appendLog(state.name, container.service, lines)
  let who = resolveIdentity(container.spec)
  // The image's entrypoint drops root to vault (uid 100, gid 1000) before exec'ing `vault agent` (reference §2).
  if (who.uid === 0 && /(^|\/)vault(:|@|$)/.test(container.spec.image)) who = { uid: 100, gid: 1000, groups: [1000] }
  const ctx = { state, container, who, log }
  const r = resolvePath(state, container, configPath)
  const readable = r ? access(r, who, 4) : 'ENOENT'
  if (!r || readable !== 'ok') {
    const why = readable === 'EACCES' ? 'permission denied' : 'no such file or directory'
    log([`error loading configuration from ${configPath}: open ${configPath}: ${why}`])
    return 1
  }
  let cfg
  try {
    cfg = parseAgentConfig(fs.readFileSync(r.host, 'utf8'))
  } catch (err) {
    log([`error loading configuration from ${configPath}: ${/** @type {Error} */ (err).message}`])
    return 1
  }
  log(BANNER)
  const env = container.spec.environment
  const address = cfg.address ?? env.VAULT_ADDR ?? 'https://127.0.0.1:8200'
  let ca
  if (cfg.caCert && address.startsWith('https:')) {
    const caPath = resolvePath(state, container, cfg.caCert)
    if (caPath && access(caPath, who, 4) === 'ok') ca = fs.readFileSync(caPath.host)
  }
  log(hclog('INFO', 'agent.auth.handler', 'starting auth handler'))
  if (cfg.templates.length > 0) log(hclog('INFO', 'agent.template.server', 'starting template server'))
  const token = await authenticate(ctx, cfg, address, ca)
  if (token === null) return null
  await renderTemplates(ctx, cfg, address, token, ca)
  return null
}
