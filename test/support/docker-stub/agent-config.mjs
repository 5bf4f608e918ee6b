// @ts-check
// The parts of a Vault Agent config.hcl the emulation honours, typed and with Agent's defaults.
import { parseHcl, sections, HclError } from './hcl.mjs'

/** @typedef {{source: string, contents: string | null, destination: string, perms: number | null, errorOnMissingKey: boolean}} TemplateConfig */
/**
 * @typedef {object} AgentConfig
 * @property {string | null} address vault.address (VAULT_ADDR of the container when unset)
 * @property {string | null} caCert
 * @property {string} mountPath auto_auth method mount_path, default auth/approle
 * @property {string} roleIdPath
 * @property {string | null} secretIdPath
 * @property {boolean} removeSecretIdFile remove_secret_id_file_after_reading, default true
 * @property {string} minBackoff
 * @property {TemplateConfig[]} templates
 */

/** @param {unknown} v @param {boolean} dflt */
function toBool(v, dflt) {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string') return ['1', 't', 'true', 'TRUE', 'True'].includes(v) ? true : ['0', 'f', 'false', 'FALSE', 'False'].includes(v) ? false : dflt
  if (typeof v === 'number') return v !== 0
  return dflt
}

/** @param {unknown} v @returns {string | null} */
function str(v) {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null
}

// Parses and checks config.hcl; throws Error with Agent's wording on what Agent would reject.
/** @param {string} text @returns {AgentConfig} */
export function parseAgentConfig(text) {
  const root = parseHcl(text)
  const vault = sections(root, 'vault')[0] ?? {}
  const autoAuth = sections(root, 'auto_auth')[0]
  const method = autoAuth ? sections(autoAuth, 'method')[0] : undefined
  if (!method) throw new HclError('error parsing auto_auth: no method specified')
  const type = str(method.type) ?? (Array.isArray(method.__labels) ? str(method.__labels[0]) : null)
  if (type !== 'approle') throw new HclError(`error creating auth method: unknown auth method type "${type ?? ''}" (only approle is emulated)`)
  const conf = sections(method, 'config')[0] ?? {}
  const roleIdPath = str(conf.role_id_file_path)
  if (!roleIdPath) throw new HclError('error creating approle auth method: missing \'role_id_file_path\' value')
  /** @type {TemplateConfig[]} */
  const templates = sections(root, 'template').map((t) => {
    const perms = t.perms
    return {
      source: str(t.source) ?? '',
      contents: str(t.contents),
      destination: str(t.destination) ?? '',
      perms: typeof perms === 'number' ? perms : typeof perms === 'string' ? parseInt(perms, 8) : null,
      errorOnMissingKey: toBool(t.error_on_missing_key, false),
    }
  })
  for (const t of templates) if (!t.destination) throw new HclError('template: missing destination')
  return {
    address: str(vault.address),
    caCert: str(vault.ca_cert),
    mountPath: (str(method.mount_path) ?? 'auth/approle').replace(/^\/+|\/+$/g, ''),
    roleIdPath,
    secretIdPath: str(conf.secret_id_file_path),
    removeSecretIdFile: toBool(conf.remove_secret_id_file_after_reading, true),
    minBackoff: str(method.min_backoff) ?? '1s',
    templates,
  }
}
