// The files and folders one host gets: rendered templates with their owners, modes and what a change
// to each one forces (compose up or an agent restart). role-id and secret-id are added by the play.
import { hclString } from './hcl.js'
import { goTemplateString } from './go-template-string.js'
import {
  AGENT_GID,
  AGENT_UID,
  AUTHENTIK_GID,
  AUTHENTIK_UID,
  CONTAINER,
  type CredentialName,
  SECRETS_VOLUME_OPTIONS,
  stackPaths,
} from '../stack/layout.js'
import { renderOverrideFile } from './override-template.js'
import { type RenderInput, validateRenderInput } from './render-input.js'
import { type Escape, renderTemplate } from './render-template.js'
import { TEMPLATE_NAMES, resolveTemplate } from './templates-dir.js'
import { composeString } from './yaml-scalar.js'
import type { Secret } from '../util/secret.js'
import type { DesiredDir, DesiredFile } from './desired.js'

// The shapes are shared with the play (desired.ts), which adds its own bookkeeping files.
export type { DesiredDir, DesiredFile }

// Where templates are read from (see templates-dir.ts), and the secrets authctl holds while rendering
// (the operator's Vault token at least): an override's output may not contain one.
export interface RenderOptions {
  templatesDir?: string
  overrideDir?: string
  secrets?: readonly Secret[]
}

// The AppRole credential file the play writes: readable by the agent's uid alone, never by group or others.
export function credentialFile(root: string, name: CredentialName, content: string): DesiredFile {
  return {
    path: stackPaths(root).credential(name),
    content,
    mode: 0o400,
    uid: AGENT_UID,
    gid: AGENT_GID,
    secret: true,
    restarts: 'agent',
  }
}

// The folders the bundle needs, parents first.
function desiredDirs(root: string): DesiredDir[] {
  const p = stackPaths(root)
  const agentOnly = { mode: 0o700, uid: AGENT_UID, gid: AGENT_GID }
  const authentik = { mode: 0o750, uid: AUTHENTIK_UID, gid: AUTHENTIK_GID }
  return [
    { path: p.root, mode: 0o755, uid: 0, gid: 0 },
    { path: p.vaultDir, mode: 0o750, uid: 0, gid: 0 },
    { path: p.configDir, ...agentOnly },
    { path: p.templatesDir, ...agentOnly },
    { path: p.dataDir, ...authentik },
    { path: p.certsDir, ...authentik },
    { path: p.customTemplatesDir, ...authentik },
  ]
}

// Renders the whole bundle for one host after validating every input variable.
export async function renderBundle(
  input: RenderInput,
  opts: RenderOptions = {},
): Promise<{ dirs: DesiredDir[]; files: DesiredFile[] }> {
  const v = validateRenderInput(input)
  const p = stackPaths(v.authentikRoot)
  const locals = {
    ...v,
    // Present even when unset, so templates can test it without tripping the unknown-variable guard.
    vaultCacert: v.vaultCacert,
    pgSslrootcert: v.pgSslrootcert,
    container: CONTAINER,
    agentUser: `${AGENT_UID}:${AGENT_GID}`,
    authentikUser: `${AUTHENTIK_UID}:${AUTHENTIK_GID}`,
    secretsVolumeOptions: SECRETS_VOLUME_OPTIONS,
    databaseSecretPath: `${v.vaultKvMount}/data/${v.vaultKvPath}/database`,
    configSecretPath: `${v.vaultKvMount}/data/${v.vaultKvPath}/config`,
  }
  const render = async (name: string, escape: Escape) => {
    const template = await resolveTemplate(name, opts)
    return template.override
      ? renderOverrideFile(template.file, locals, escape, opts.secrets ?? [])
      : renderTemplate(template.file, locals, escape)
  }
  const agentFile = (path: string, content: string): DesiredFile => ({
    path,
    content,
    mode: 0o400,
    uid: AGENT_UID,
    gid: AGENT_GID,
    secret: false,
    restarts: 'agent',
  })

  const files: DesiredFile[] = [
    {
      path: p.composeFile,
      content: await render(TEMPLATE_NAMES.compose, composeString),
      mode: 0o644,
      uid: 0,
      gid: 0,
      secret: false,
      restarts: 'compose-up',
    },
    agentFile(p.configFile, await render(TEMPLATE_NAMES.agentConfig, hclString)),
    agentFile(p.envTemplateFile, await render(TEMPLATE_NAMES.envTemplate, goTemplateString)),
  ]
  if (v.vaultCacert !== undefined) files.push(agentFile(p.caCertFile, v.vaultCacert))
  const dirs = desiredDirs(v.authentikRoot)
  if (v.pgSslrootcert !== undefined) {
    // public CA material, read-only for everyone; server and worker pick a change up on restart
    dirs.push({ path: p.dbTlsDir, mode: 0o755, uid: 0, gid: 0 })
    files.push({ path: p.dbCaFile, content: v.pgSslrootcert, mode: 0o444, uid: 0, gid: 0, secret: false, restarts: 'agent' })
  }
  return { dirs, files }
}
