// What bench/setup.yml needs beside the inventory: the files authctl would render for each host
// (rendered by authctl's own render module, so both tools write the same bytes), and a vars file
// with the role-id and one fresh secret-id per host, minted the way the runbook's Step 5 does.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { selectHosts } from '../../src/wiring/context.js'
import { setupHosts } from '../../src/plays/shared/setup-hosts.js'

// One rendered host: where its files live on the host, and the compose project.
export interface RenderedHost {
  name: string
  root: string
  project: string
  role: string
}

const FILE_NAMES: Record<string, string> = { 'docker-compose.yml': 'docker-compose.yml', 'config.hcl': 'config.hcl', '.env.tpl': 'env.tpl' }

// Renders every inventory host's files into <dir>/<host>/ with authctl's render module.
export async function renderForAnsible(inventoryPath: string, dir: string, env: NodeJS.ProcessEnv): Promise<RenderedHost[]> {
  const selection = await selectHosts(inventoryPath, undefined, env)
  const hosts = await setupHosts(selection, env)
  const out: RenderedHost[] = []
  for (const host of hosts) {
    const bundle = await host.render()
    await mkdir(join(dir, host.name), { recursive: true })
    for (const file of bundle.files) {
      const base = file.path.split('/').at(-1) ?? ''
      const name = FILE_NAMES[base]
      if (name === undefined) throw new Error(`bench/setup.yml does not deploy ${file.path}; add a task for it`)
      await writeFile(join(dir, host.name, name), file.content)
    }
    out.push({ name: host.name, root: host.root, project: host.project, role: host.role })
  }
  return out
}

interface VaultEnv {
  addr: string
  token: string
}

async function vault(v: VaultEnv, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${v.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': v.token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  if (!res.ok) throw new Error(`Vault ${method} ${path}: HTTP ${res.status}`)
  const json = (await res.json()) as { data?: Record<string, unknown> }
  if (!json.data) throw new Error(`Vault ${method} ${path}: no data in the response`)
  return json.data
}

// `vault read -field=role_id …/role-id` and one `vault write -f -field=secret_id …/secret-id` per
// host, then the vars file (mode 0600; the values never appear on any argv).
export async function writeAnsibleVars(hosts: readonly RenderedHost[], filesDir: string, varsPath: string, v: VaultEnv): Promise<void> {
  const first = hosts[0]
  if (!first) throw new Error('no hosts to deploy')
  if (hosts.some((h) => h.root !== first.root || h.project !== first.project || h.role !== first.role)) {
    throw new Error('bench/setup.yml assumes one authentik_root, compose project and AppRole for all hosts')
  }
  const roleId = String((await vault(v, 'GET', `auth/approle/role/${first.role}/role-id`)).role_id)
  const secretIds: Record<string, string> = {}
  for (const h of hosts) {
    const data = await vault(v, 'POST', `auth/approle/role/${h.role}/secret-id`, { metadata: JSON.stringify({ host: h.name, created_by: 'authctl-bench' }) })
    secretIds[h.name] = String(data.secret_id)
  }
  const vars = {
    authentik_root: first.root,
    compose_project: first.project,
    files_dir: filesDir,
    vault_role_id: roleId,
    vault_secret_ids: secretIds,
  }
  // JSON is YAML, so ansible reads it with -e @file
  await writeFile(varsPath, JSON.stringify(vars, null, 2) + '\n', { mode: 0o600 })
}
