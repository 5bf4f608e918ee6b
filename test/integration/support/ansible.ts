// Runs the installed ansible-core commands (ansible-inventory, ansible) with a scratch ANSIBLE_HOME, and
// failing on an unparsed inventory as authctl does, for tests that compare authctl against them.
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface AnsibleRun {
  code: number
  stdout: string
  stderr: string
}

const scratch = mkdtempSync(join(tmpdir(), 'authctl-ansible-home-'))

// The environment ansible runs in: no user config, no colour, unparsed sources are failures.
export const ANSIBLE_ENV: NodeJS.ProcessEnv = {
  ...process.env, ANSIBLE_LOCAL_TEMP: join(scratch, 'tmp'), ANSIBLE_HOME: join(scratch, 'home'), ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
  ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'False', VAULT_ADDR: '',
}

// Runs `cmd args` (ansible-inventory, ansible) and returns its exit code and outputs, never throwing.
export function runAnsible(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<AnsibleRun> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...ANSIBLE_ENV, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
