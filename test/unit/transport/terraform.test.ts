// The terraform output argv (exact) and the refusal of a directory that is not one, before running anything.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { terraformOutput, terraformOutputArgs } from '../../../src/transport/terraform.js'

describe('terraform output', () => {
  it('runs exactly `terraform output -no-color -raw NAME`', () => {
    expect(terraformOutputArgs('db_address')).toEqual(['output', '-no-color', '-raw', 'db_address'])
  })

  it('refuses a path that is not a directory, naming the flag', async () => {
    const e = await terraformOutput('/etc/hostname', 'db_address', 1000).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ConfigError)
    expect((e as Error).message).toBe('--from-terraform /etc/hostname is not a directory')
  })
})
