// The rotation files' shared frame (rotate-db-password*.test.ts, rotate-secret-key.test.ts): each starts its
// own rotation bed (3 real sshd hosts, the Vault test server, a real PostgreSQL and the RDS stand-in driven by
// the real AWS SDK) and watches every command line on this machine; after its last test, every output is
// searched for every secret its runs ever held. Module state here is per test file.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, expect } from 'vitest'
import { watchArgv, type ArgvWatch } from '../../support/argv-watch.js'
import { allOutputs, runCli } from './cli.js'
import { allSecretValues, conn, FIRST_KEY, FIRST_PASSWORD, kv, logsIn, renderedEnv, useRotationBed, type RotationBed } from './rotation-bed.js'

export let r: RotationBed
let watch: ArgvWatch
// the Vault test server's request count when the running test began
export let requestsBefore = 0
export const rotate = (args: string[]) => runCli(['rotate-db-password', ...conn(r), ...args], r.env, 180_000)

// Registers the file's bed and argv watch: started before its first test; after its last, the search for
// every secret the file's runs held (`command` names the rotation the file runs), then the bed stopped.
export function useRotationsBed(command: 'rotate-db-password' | 'rotate-secret-key'): void {
  useRotationBed((bed) => {
    r = bed
    // every command line on this machine (the CLI, ssh sessions, remote commands) for the final search
    watch = watchArgv([FIRST_PASSWORD, FIRST_KEY], 50)
  }, async () => {
    try {
      await expectNoSecretLeaked(command)
    } finally {
      watch.stop()
    }
  })

  beforeEach(() => {
    requestsBefore = r.vault.requests.length
    r.vault.faults.clear()
  })
}

// A write by someone else, with the root token, over HTTP as any Vault client would.
export async function vaultWrite(key: string, data: Record<string, string>): Promise<void> {
  const res = await fetch(`${r.vault.addr}/v1/secret/data/${key}`, { method: 'POST', headers: { 'X-Vault-Token': r.vault.rootToken, 'Content-Type': 'application/json' }, body: JSON.stringify({ data }) })
  expect(res.status).toBe(200)
}

// The database agrees with Vault's current password: the property every failure must keep (or --resume restore).
export async function vaultOpensDatabase(): Promise<string> {
  const current = kv(r).data.pg_password!
  expect(await logsIn(r, current)).toBe(true)
  return current
}

// Whether a host of this bed still runs authctl's restart script (a run was killed mid-restart). The script's
// argv names the host's compose file, under its data folder: other files' beds run their own restarts.
export async function convergeRunning(): Promise<boolean> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmd.includes('authctl-converge') && r.bed.hosts.some((h) => cmd.includes(h.dataDir))) return true
  }
  return false
}

// After the file's last test: no value any version of the two secrets ever held is in any output, --json, journal,
// audit line, bastion file, host log, remote command line or process argv. `command` is the rotation the
// file ran: its journal, audit lines and command lines must be there, or the search proves nothing.
async function expectNoSecretLeaked(command: 'rotate-db-password' | 'rotate-secret-key'): Promise<void> {
  const secrets = allSecretValues(r)
  expect(secrets).toContain(FIRST_PASSWORD)
  expect(secrets).toContain(FIRST_KEY)
  // the file rotated something: more than the two first values
  expect(secrets.length).toBeGreaterThan(3)
  const files = await readdir(r.home, { recursive: true, withFileTypes: true })
  const bastion = (await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')))).join('\n')
  // the search means something: the journal and the audit lines are there
  expect(bastion).toContain(`"kind": "${command}"`)
  expect(bastion).toContain(`"rotation":"${command.replace('rotate-', '')}"`)
  const hosts = (await Promise.all(r.bed.hosts.flatMap((h) => [readFile(h.commandLog, 'utf8'), readFile(join(h.dataDir, 'authentik', 'authctl-audit.log'), 'utf8')]))).join('\n')
  expect(hosts).toContain(`authctl ${command}`)
  watch.stop()
  const argv = [...watch.seen()].join('\n')
  expect(argv).toContain(command)
  // a positive control: the needles are in the form the hosts render them (host1 renders a password and a
  // key of the list, whichever versions the file's last run left it on)
  const rendered = await renderedEnv(r, 0)
  expect(secrets.filter((s) => rendered.includes(s)), 'the secrets host1 renders').toHaveLength(2)
  const places = { outputs: allOutputs.join('\n'), bastion, hosts, argv, rds: JSON.stringify(r.rds.requests), postgres: r.postgres.serverLog() }
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) expect(text.includes(secret), `a secret in ${where}`).toBe(false)
  }
}
