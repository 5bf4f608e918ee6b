// `npm run demo`: the main job against the local test bed, as an operator would see it. Brings up
// 3 sshd hosts and the seeded Vault test server (in ./.testbed/demo, left running so you can look
// around), runs `authctl setup`, then runs it again to show that a converged fleet changes nothing.
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { startTestbed, repoRoot } from './testbed/index.js'
import { stopRecorded } from './testbed/teardown.js'

const dir = resolve(repoRoot, '.testbed/demo')

function authctl(title: string, args: string[], env: NodeJS.ProcessEnv): number {
  console.log(`\n=== ${title}\n$ authctl ${args.join(' ')}`)
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { stdio: 'inherit', env })
  console.log(`(exit ${String(r.status)})`)
  return r.status ?? 1
}

async function main(): Promise<number> {
  await stopRecorded(dir)
  console.log('Starting the test bed: 3 OpenSSH hosts on 127.0.0.11-13 and the Vault test server seeded with the runbook…')
  const bed = await startTestbed({ hosts: 3, dir, detached: true })
  const env = { ...process.env, VAULT_ADDR: bed.vault?.addr, VAULT_TOKEN: bed.vault?.operatorToken }
  const base = ['setup', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
  const first = authctl('First run: deploy the Vault Agent sidecar stack to every host', base, env)
  const second = authctl('Second run: nothing to change', base, env)
  console.log(`
The test bed keeps running. Try:
  export VAULT_ADDR=${bed.vault?.addr ?? ''} VAULT_TOKEN=<operator token in ${join(dir, 'vault', 'ready.json')}>
  node bin/run.js setup -i ${bed.inventoryPath} --known-hosts ${bed.knownHostsPath} --check --diff
  node bin/run.js inventory --graph -i ${bed.inventoryPath}
Stop it with: npm run testbed -- down --dir ${dir}`)
  return first === 0 && second === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
