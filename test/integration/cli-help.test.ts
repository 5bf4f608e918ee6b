// The fast top-level help (dist/help.txt, made by the build) must say exactly what oclif says, and
// every other invocation must still go through oclif.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { repoRoot } from '../support/testbed/index.js'

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => execFileSync(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })

it('authctl --help from the build equals oclif\'s own help, and lists every command', () => {
  const fast = run(['--help'])
  expect(fast).toBe(run(['--help'], { AUTHCTL_NO_FAST_HELP: '1' }))
  for (const command of ['inventory', 'setup', 'ssh-check', 'lock']) expect(fast).toContain(command)
})

it('command help still comes from oclif', () => {
  expect(run(['setup', '--help'])).toContain('--new-secret-id')
})
