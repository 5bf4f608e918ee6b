// Where the stack's files live on a host and inside the vault-agent container, and who owns them.
// Owners follow the real images (shared/reference/authentik-compose.md): hashicorp/vault runs the
// agent as uid 100 gid 1000, Authentik runs as uid 1000 gid 1000.

// The agent's numeric ids: host names for them differ per AMI, so only numbers are used.
export const AGENT_UID = 100
export const AGENT_GID = 1000

// Authentik's numeric ids (the image's `authentik` user and group).
export const AUTHENTIK_UID = 1000
export const AUTHENTIK_GID = 1000

// Paths the agent sees; config.hcl refers to these, docker-compose.yml mounts the host dirs there.
export const CONTAINER = {
  configDir: '/vault/config',
  templatesDir: '/vault/templates',
  secretsDir: '/vault/secrets',
  configFile: '/vault/config/config.hcl',
  roleIdFile: '/vault/config/role-id',
  secretIdFile: '/vault/config/secret-id',
  caCertFile: '/vault/config/ca.pem',
  envTemplateFile: '/vault/templates/.env.tpl',
  envFile: '/vault/secrets/.env',
  // the database CA bundle, mounted read-only into server and worker when pg_sslrootcert is set
  dbTlsDir: '/db-tls',
  dbCaFile: '/db-tls/ca.pem',
} as const

// The AppRole credential files the play deploys beside config.hcl.
export type CredentialName = 'role-id' | 'secret-id'

// Host paths under the deploy root, as in the runbook's "Files Involved" table.
export function stackPaths(root: string) {
  return {
    root,
    vaultDir: `${root}/vault`,
    configDir: `${root}/vault/config`,
    templatesDir: `${root}/vault/templates`,
    configFile: `${root}/vault/config/config.hcl`,
    caCertFile: `${root}/vault/config/ca.pem`,
    envTemplateFile: `${root}/vault/templates/.env.tpl`,
    composeFile: `${root}/docker-compose.yml`,
    dataDir: `${root}/data`,
    certsDir: `${root}/certs`,
    customTemplatesDir: `${root}/custom-templates`,
    dbTlsDir: `${root}/db-tls`,
    dbCaFile: `${root}/db-tls/ca.pem`,
    credential: (name: CredentialName) => `${root}/vault/config/${name}`,
  }
}

// The tmpfs volume's mount options: agent-owned, group-readable for Authentik (gid 1000), 0750.
export const SECRETS_VOLUME_OPTIONS = `size=1m,uid=${AGENT_UID},gid=${AGENT_GID},mode=0750`
