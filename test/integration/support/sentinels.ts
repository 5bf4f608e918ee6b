// The secrets a test bed holds after `authctl setup` (every host's secret-id, the role-id, the operator
// token, the KV password) and every place they must never appear: the CLI's outputs, the hosts'
// command lines, files on the bastion.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Testbed } from '../../support/testbed/index.js'
import { allOutputs } from './cli.js'

// Fails the test if any secret of the bed shows in an output, a command line or a file under `home`.
export async function expectNoSecretShown(bed: Testbed, home: string, extra: readonly string[] = []): Promise<void> {
  const secretIds = await Promise.all(bed.hosts.map(async (h) => (await readFile(join(h.dataDir, 'authentik/vault/config/secret-id'), 'utf8')).trim()))
  const kv = await fetch(`${bed.vault?.addr}/v1/secret/data/cwiq/shared/authentik/database`, { headers: { 'X-Vault-Token': bed.vault?.rootToken ?? '' } })
  const password = ((await kv.json()) as { data: { data: Record<string, string> } }).data.data.pg_password
  const sentinels = [...extra, ...secretIds, bed.vault?.roleId ?? 'role-id-missing', bed.vault?.operatorToken ?? 'token-missing', password ?? 'pw-missing']
  const commandLogs = (await Promise.all(bed.hosts.map((h) => readFile(h.commandLog, 'utf8')))).join('\n')
  const files = await readdir(home, { recursive: true, withFileTypes: true })
  const bastionText = (await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')))).join('\n')
  const outputs = allOutputs.join('\n')
  for (const s of sentinels) {
    expect(s.length).toBeGreaterThan(8)
    expect(outputs).not.toContain(s)
    expect(commandLogs).not.toContain(s)
    expect(bastionText).not.toContain(s)
  }
}
