// The terraform output argv (exact), the refusal of a directory that is not one, before running anything,
// and the environment terraform gets: the operator's, without the Vault token or any other VAULT_* variable.
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { terraformOutput, terraformOutputArgv } from '../../../src/local-process/terraform.js'

describe('terraform output', () => {
  afterEach(() => void vi.unstubAllEnvs())

  it('runs exactly `terraform output -no-color -raw NAME`', () => {
    expect(terraformOutputArgv('db_address')).toEqual(['output', '-no-color', '-raw', 'db_address'])
  })

  it('refuses a path that is not a directory, naming the flag', async () => {
    const e = await terraformOutput('/etc/hostname', 'db_address', 1000).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ConfigError)
    expect((e as Error).message).toBe('--from-terraform /etc/hostname is not a directory')
  })

  it('runs terraform without any VAULT_* variable: a fake terraform on PATH dumps the environment it got', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authctl-tf-env-'))
    const dump = join(dir, 'env.txt')
    await writeFile(join(dir, 'terraform'), `#!/bin/sh\nenv > '${dump}'\nprintf 'db.example.com'\n`)
    await chmod(join(dir, 'terraform'), 0o755)
    const token = 'hvs.SENTINEL-terraform-must-not-see-this'
    // the operator's shell as authctl gets it: the Vault CLI's variables are set
    const env = {
      PATH: `${dir}:${process.env.PATH ?? ''}`, AWS_PROFILE: 'shared-services',
      VAULT_TOKEN: token, VAULT_ADDR: 'https://vault.example.com:8200', VAULT_NAMESPACE: 'ns1', VAULT_CACERT: '/etc/ca.pem', vault_token: token,
    }
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    await expect(terraformOutput(dir, 'db_address', 10_000)).resolves.toBe('db.example.com')
    const seen = await readFile(dump, 'utf8')
    expect(seen).not.toContain(token)
    expect(seen.split('\n').filter((l) => /^vault_/i.test(l))).toEqual([])
    // what terraform needs to reach its state stays: PATH, HOME, the AWS profile, and the automation hint
    expect(seen).toContain(`PATH=${dir}:`)
    expect(seen).toContain('AWS_PROFILE=shared-services')
    expect(seen).toContain('TF_IN_AUTOMATION=1')
  })
})
