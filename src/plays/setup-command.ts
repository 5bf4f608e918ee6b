// Wires the setup play to the real world: inventory, Vault from the environment, SSH, the reporter,
// Ctrl-C handling and the recap. The command calls this; tests call the play with fakes.
import { selectHosts, setupHosts, sshConnector, reporterFor, runIdentity, type HostSelectionInput } from '../context.js'
import { appendAudit } from '../output/audit-local.js'
import { listrReporter } from '../output/listr-reporter.js'
import { trapInterrupts } from '../output/interrupt.js'
import { formatRecap } from '../output/recap.js'
import { openSetupVault } from '../vault/setup-vault.js'
import { runSetup, type SetupResult } from './setup.js'

export interface SetupCommandInput extends HostSelectionInput {
  check: boolean
  diff: boolean
  newSecretId: boolean
  serial: number
  lockWaitMs: number
  waitTimeoutS: number
  secretIdMinRemainingMs: number
  json: boolean
  argv: readonly string[]
}

export async function setupCommand(input: SetupCommandInput): Promise<SetupResult & { interrupted: boolean }> {
  const env = process.env
  const commandLine = ['authctl', 'setup', ...input.argv].join(' ')
  const selection = await selectHosts(input.inventory, input.limit, env)
  const hosts = await setupHosts(selection, env)
  const vault = await openSetupVault(env)
  const live = !input.json && process.stdout.isTTY && process.stderr.isTTY && !env.CI ? await listrReporter(hosts.map((h) => h.name)) : undefined
  const reporter = live ?? reporterFor(input.json)
  const { who, lockDetails } = runIdentity(commandLine)
  const ssh = await sshConnector(selection.hosts, {
    knownHosts: input.knownHosts, acceptNew: input.acceptNew, forks: input.forks, env,
    sshConfig: input.sshConfig, insecureHostKeys: input.insecureHostKeys, interactive: !input.json,
  })
  const interrupt = trapInterrupts((name) => reporter.warn('*', `${name}: finishing the host in progress, touching no other, releasing locks (press again to quit at once)`))
  try {
    const result = await runSetup(hosts, { vault, connect: ssh.connect, reporter, auditLocal: (l) => appendAudit(l, env), lockDetails, who, now: () => new Date(), signal: interrupt.signal }, {
      check: input.check, diff: input.diff, newSecretId: input.newSecretId, serial: input.serial, forks: input.forks,
      lockWaitMs: input.lockWaitMs, waitTimeoutS: input.waitTimeoutS, secretIdMinRemainingMs: input.secretIdMinRemainingMs, commandLine,
    })
    await live?.close(result.hosts)
    if (!input.json) {
      for (const h of result.hosts) if (h.diff) process.stdout.write(`=== ${h.host}\n${h.diff}`)
      process.stdout.write(formatRecap(input.check ? 'SETUP (check)' : 'SETUP', result.hosts))
    }
    const interrupted = interrupt.signal.aborted
    return { ...result, interrupted, exitCode: interrupted ? 130 : result.exitCode }
  } finally {
    await live?.close([])
    interrupt.dispose()
    await ssh.close()
  }
}
