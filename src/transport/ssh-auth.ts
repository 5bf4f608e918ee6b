// SSH credentials for one host: the inventory's key file and/or ssh-agent, checked before we
// connect so a bad key file is a ConfigError naming the file, not a vague auth failure.
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'

// The slice of ssh2's utils we use, so this module needs no import of ssh2 itself.
export interface KeyParser {
  parseKey(data: Buffer, passphrase?: string): unknown
}

// What ssh2 needs to authenticate, plus a list of what will be tried for error messages.
export interface SshCredentials {
  privateKey?: Buffer
  passphrase?: string
  agent?: string
  methods: Array<{ type: 'publickey' | 'agent'; label: string }>
}

// Reads and checks the key file; an encrypted key without passphrase names the file and the fix.
function readKeyFile(file: string, passphrase: string | undefined, parser: KeyParser): Buffer {
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch (error) {
    throw new ConfigError(`cannot read SSH private key ${file}: ${(error as Error).message}`, {
      hint: 'check ansible_ssh_private_key_file in the inventory',
      cause: error,
    })
  }
  const parsed = parser.parseKey(data, passphrase)
  if (!(parsed instanceof Error)) return data
  if (/no passphrase given/i.test(parsed.message)) {
    throw new ConfigError(`SSH private key ${file} is encrypted and no passphrase was given`, {
      hint: 'load the key into ssh-agent (ssh-add) and drop ansible_ssh_private_key_file, or provide its passphrase',
    })
  }
  if (/bad passphrase/i.test(parsed.message)) {
    throw new ConfigError(`wrong passphrase for SSH private key ${file}`, { hint: 'check the passphrase for this key' })
  }
  throw new ConfigError(`SSH private key ${file} is not a usable private key: ${parsed.message}`, {
    hint: 'point ansible_ssh_private_key_file at an OpenSSH or PEM private key',
  })
}

// Collects the credentials for a target: key file first, then the agent (SSH_AUTH_SOCK by default).
export function resolveCredentials(
  target: { name: string; privateKeyFile?: string; agentSocket?: string; passphrase?: string },
  parser: KeyParser,
  env: NodeJS.ProcessEnv = process.env,
): SshCredentials {
  const creds: SshCredentials = { methods: [] }
  if (target.privateKeyFile !== undefined && target.privateKeyFile !== '') {
    creds.privateKey = readKeyFile(target.privateKeyFile, target.passphrase, parser)
    creds.passphrase = target.passphrase
    creds.methods.push({ type: 'publickey', label: `key file ${target.privateKeyFile}` })
  }
  const agent = target.agentSocket ?? env.SSH_AUTH_SOCK
  if (agent !== undefined && agent !== '') {
    creds.agent = agent
    creds.methods.push({ type: 'agent', label: `ssh-agent at ${agent}` })
  }
  if (creds.methods.length === 0) {
    throw new ConfigError(`no SSH credentials for host ${target.name}: no private key file and no ssh-agent (SSH_AUTH_SOCK is unset)`, {
      hint: 'set ansible_ssh_private_key_file for the host or start ssh-agent and add the key (ssh-add)',
    })
  }
  return creds
}
