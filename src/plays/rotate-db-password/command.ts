// Wires `authctl rotate-db-password` to the inventory, Vault, the database (RDS API or SQL, directly or
// through --via HOST), the restart engine, the bastion journal and the output.
import type { DbPasswordChanger } from '../../db/db-types.js'
import { checkLogin } from '../../db/login-check.js'
import { RdsPasswordChanger } from '../../db/rds-changer.js'
import { sslModeOf } from '../../db/secret-endpoint.js'
import { SqlPasswordChanger } from '../../db/sql-changer.js'
import { viaHost } from '../../db/ssh-via.js'
import { batchSize, type HostShare } from '../../engine/rollout.js'
import { ConfigError, UnreachableError } from '../../errors.js'
import { formatRecap } from '../../output/recap.js'
import { dbTlsInput } from '../../render/db-tls.js'
import { runDbRotation } from './play.js'
import type { DbRotationPorts, DbRotationResult } from './types.js'
import { restartRecap } from '../shared/rolling-restart.js'
import { journalStore } from '../shared/rotation-store.js'
import { printOutcomeError, withRotation, type RotationInput } from '../shared/rotation-wiring.js'
import { secretKey } from '../../wiring/vault-ports.js'

const COMMAND = 'rotate-db-password'

export interface RotateDbPasswordInput extends RotationInput {
  method?: 'rds' | 'sql'
  via?: string
  awsProfile?: string
  length: number
  restart: boolean
  resume: boolean
  applyTimeoutMs: number
}

// "one host at a time" / "2 hosts at a time" / "all at once", for the plan.
export function rolloutWords(serial: HostShare, hosts: number): string {
  const n = batchSize(serial, hosts)
  return n >= hosts ? 'all at once' : n === 1 ? 'one host at a time' : `${n} hosts at a time`
}

export async function rotateDbPasswordCommand(input: RotateDbPasswordInput): Promise<DbRotationResult> {
  return withRotation(COMMAND, input, async ({ session, vars, ports, hosts, restart }) => {
    if (input.via !== undefined && !hosts.includes(input.via)) {
      throw new ConfigError(`--via ${input.via} is not a host of ${session.selection.inventoryPath}`, { hint: `Name one of its hosts (${hosts.join(', ')}); they reach the database.` })
    }
    const tls = dbTlsInput(hosts[0] ?? '', vars)
    const { key, display } = secretKey(vars, 'database')
    const env = session.env
    const p: DbRotationPorts = {
      vault: ports.vault, confirm: ports.confirm, audit: ports.audit, checkLogin, restart,
      reporter: session.reporter, signal: session.interrupt.signal, now: () => new Date(),
      route: async (via) => {
        if (via === undefined) return undefined
        const remote = (await session.connect([via])).get(via)
        if (remote === undefined || remote instanceof Error) throw remote ?? new UnreachableError(`${via}: no connection`)
        return viaHost(remote)
      },
      changer: (spec, endpoint, login): DbPasswordChanger => spec.method === 'rds'
        ? new RdsPasswordChanger({ instanceId: spec.instanceId, settleTimeoutMs: input.applyTimeoutMs, ...(spec.awsProfile === undefined ? {} : { profile: spec.awsProfile }) })
        : new SqlPasswordChanger({ endpoint, login }),
      journal: journalStore(COMMAND, { mount: vars.vaultKvMount, key, display }, { vault: ports.vault, reporter: session.reporter, env }),
    }
    const result = await runDbRotation(p, {
      mount: vars.vaultKvMount, key, display, method: input.method, instanceId: vars.rdsInstanceId, via: input.via, awsProfile: input.awsProfile,
      length: input.length, restart: input.restart, resume: input.resume, tls: { sslMode: sslModeOf(vars.pgSslmode), ca: tls.pgSslrootcert },
      hosts, rollout: rolloutWords(input.serial, hosts.length), applyTimeoutMs: input.applyTimeoutMs, who: session.who, commandLine: session.commandLine,
    })
    if (!input.json) {
      process.stdout.write(formatDbRotation(result))
      printOutcomeError(result.error)
    }
    return result
  })
}

// The report for people: the versions, each step, warnings, the journal, then the restart recap.
export function formatDbRotation(r: DbRotationResult): string {
  const rollback = r.versions.rollback === null ? '' : `, rolled back as version ${r.versions.rollback}`
  const lines = [`ROTATE DB PASSWORD: ${r.status}${r.resumed ? ' (resumed)' : ''}  ${r.path} version ${r.versions.from} → ${r.versions.to ?? 'not written'}${rollback}`]
  if (r.target !== '') lines.push(`  ${r.target}${r.via !== null && r.method === 'rds' ? `; logins via ${r.via}` : ''}`)
  for (const s of r.steps) lines.push(`  ${s.step}. ${s.name.padEnd(24)} ${s.status.padEnd(10)} ${s.detail}`)
  for (const w of r.warnings) lines.push(`  warning: ${w}`)
  // an aborted run wrote no journal: naming the file would send the operator looking for nothing
  if (r.status !== 'aborted') lines.push(`  journal: ${r.journal}`)
  return lines.join('\n') + '\n' + (r.restart.hosts.length > 0 ? formatRecap('RESTART', r.restart.hosts, restartRecap) : '')
}
