// The environment a test gives the real AWS SDK: a profile in private config files, the stand-in as
// the RDS endpoint, and instance metadata off so the credential chain never leaves loopback.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AwsKey } from './sigv4.js'

// Every variable the SDK's chain reads that could point it elsewhere, cleared for the test.
const CLEARED = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ENDPOINT_URL',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_REGION', 'AWS_DEFAULT_REGION']

// One profile of the test's shared config files (region omitted: a profile without one).
export interface TestProfile {
  name: string
  key: AwsKey
  region?: string
}

// Writes ~/.aws-like config and credentials files with these profiles, and returns the variables to set.
export async function awsTestEnv(endpointUrl: string, profiles: TestProfile[]): Promise<Record<string, string | undefined>> {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-aws-'))
  const config = join(dir, 'config')
  const credentials = join(dir, 'credentials')
  await writeFile(config, profiles.map((p) => `[profile ${p.name}]\n${p.region ? `region = ${p.region}\n` : ''}`).join(''), { mode: 0o600 })
  await writeFile(credentials, profiles.map((p) => `[${p.name}]\naws_access_key_id = ${p.key.accessKeyId}\naws_secret_access_key = ${p.key.secretAccessKey}\n`).join(''), { mode: 0o600 })
  const vars: Record<string, string | undefined> = Object.fromEntries(CLEARED.map((name) => [name, undefined]))
  return {
    ...vars,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_RDS: endpointUrl,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
}

// Sets variables in this process (the SDK reads process.env) and returns what undoes it.
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  apply(vars)
  return () => apply(before)
}
