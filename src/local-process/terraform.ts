// `terraform output -raw NAME` in a working directory, through the local runner (execa): a timeout,
// terraform's own error when it fails, and a clear message when terraform is missing or prints nothing.
import { stat } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { runLocal } from './run-local.js'

// The argv for one output value (-no-color keeps terraform's error readable in ours).
export function terraformOutputArgv(name: string): string[] {
  return ['output', '-no-color', '-raw', name]
}

// Terraform's own diagnostic: from its first "Error:" on, else all of stderr.
function diagnostic(stderr: string): string {
  const at = stderr.indexOf('Error:')
  return (at >= 0 ? stderr.slice(at) : stderr).replace(/[│╷╵]/g, '').split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ')
}

// authctl's environment without VAULT_* (the operator's token must not reach terraform or its providers).
export function terraformEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { ...Object.fromEntries(Object.entries(env).filter(([k]) => !/^VAULT_/i.test(k))), TF_IN_AUTOMATION: '1' }
}

// The value of output `name` in `dir`; ConfigError (exit 5) for every way it can fail.
export async function terraformOutput(dir: string, name: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const info = await stat(dir).catch(() => null)
  if (!info?.isDirectory()) throw new ConfigError(`--from-terraform ${dir} is not a directory`, { hint: 'Give the terraform working directory of the RDS instance (where terraform apply ran).' })
  const r = await runLocal('terraform', terraformOutputArgv(name), { cwd: dir, timeoutMs, env: terraformEnv(env), extendEnv: false }).catch((error: unknown) => {
    throw new ConfigError('terraform is not installed or not on PATH (--from-terraform runs it)', { hint: 'Install terraform on this machine, or give the endpoint itself with --host.', cause: error })
  })
  if (r.timedOut) throw new ConfigError(`terraform output ${name} did not finish within ${Math.round(timeoutMs / 1000)}s in ${dir}`, { hint: 'Check the state backend is reachable (credentials, network), or raise --terraform-timeout.' })
  if (r.exitCode !== 0) throw new ConfigError(`terraform output ${name} failed in ${dir}: ${diagnostic(r.stderr) || `exit ${r.exitCode}`}`, { hint: `Check that ${dir} defines output "${name}" and that terraform apply has run there.` })
  // Without state (or with no outputs in it) terraform exits 0 and prints "Warning: No outputs found" on stdout.
  const value = r.stdout.trim()
  if (value === '' || value.startsWith('Warning:')) {
    const said = diagnostic(`${value}\n${r.stderr}`).replace(/^Error: /, '')
    throw new ConfigError(`terraform output ${name} gave no value in ${dir}${said ? `: ${said}` : ''}`, { hint: 'The state holds no value for it yet: run terraform apply there first.' })
  }
  return value
}
