// SSH credentials for one host: its identity files in order, then ssh-agent, checked before we
// connect so a bad key file is a ConfigError naming the file, not a vague auth failure.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'

// The slice of ssh2's utils we use, so this module needs no import of ssh2 itself.
export interface KeyParser {
  parseKey(data: Buffer, passphrase?: string): unknown
}

// One way to authenticate, in the order ssh2 will try them; the label is what error messages list.
export type AuthMethod =
  | { type: 'publickey'; label: string; file: string; key: Buffer; passphrase?: string; parsed: unknown }
  | { type: 'agent'; label: string; socket: string }

// What ssh2 needs to authenticate: the methods in order, plus keys skipped (for "tried" lists).
export interface SshCredentials {
  privateKey?: Buffer
  passphrase?: string
  agent?: string
  methods: AuthMethod[]
  skipped: string[]
}

// Which keys and agent a host may use. Default files are OpenSSH's ~/.ssh/id_*: used only when no
// identity file is configured, and silently skipped when missing, as ssh does.
export interface CredentialInput {
  name: string
  privateKeyFile?: string
  identityFiles?: readonly string[]
  identitiesOnly?: boolean
  defaultIdentityFiles?: readonly string[]
  agentSocket?: string // default: env SSH_AUTH_SOCK; '' disables the agent
  passphrase?: string
}

type KeyState = { status: 'ok'; data: Buffer; parsed: unknown } | { status: 'missing' | 'unreadable' | 'invalid'; message: string } | { status: 'encrypted' | 'bad-passphrase' }

// Decrypting a key runs bcrypt in JavaScript (~0.15 s per round, 16 rounds by default): parse each
// key once per run, not once per host and again inside ssh2.
const parsedKeys = new Map<string, unknown>()

function parseCached(data: Buffer, passphrase: string | undefined, parser: KeyParser): unknown {
  const id = createHash('sha256').update(data).update('\0').update(passphrase ?? '').digest('hex')
  if (!parsedKeys.has(id)) parsedKeys.set(id, parser.parseKey(data, passphrase))
  return parsedKeys.get(id)
}

function inspectKey(file: string, passphrase: string | undefined, parser: KeyParser): KeyState {
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { status: code === 'ENOENT' ? 'missing' : 'unreadable', message: (error as Error).message }
  }
  const parsed = parseCached(data, passphrase, parser)
  if (!(parsed instanceof Error)) return { status: 'ok', data, parsed }
  if (/no passphrase given/i.test(parsed.message)) return { status: 'encrypted' }
  if (/bad passphrase/i.test(parsed.message)) return { status: 'bad-passphrase' }
  return { status: 'invalid', message: parsed.message }
}

const PASSPHRASE_HINT = 'load the key into ssh-agent (ssh-add), or put its passphrase in a file named by AUTHCTL_SSH_KEY_PASSPHRASE_FILE (or run on a terminal to be asked)'

function explicitFiles(input: CredentialInput): string[] {
  const files = [input.privateKeyFile, ...(input.identityFiles ?? [])].filter((f): f is string => f !== undefined && f !== '')
  return [...new Set(files)]
}

function agentOf(input: CredentialInput, env: NodeJS.ProcessEnv): string | undefined {
  if (input.identitiesOnly) return undefined
  const agent = input.agentSocket ?? env.SSH_AUTH_SOCK
  return agent === undefined || agent === '' ? undefined : agent
}

// The key files that would need a passphrase, so the caller can ask for one (once) before connecting.
export function encryptedKeys(input: CredentialInput, parser: KeyParser): string[] {
  const explicit = explicitFiles(input)
  const files = explicit.length > 0 ? explicit : [...(input.defaultIdentityFiles ?? [])]
  return files.filter((file) => inspectKey(file, undefined, parser).status === 'encrypted')
}

// A configured key file that cannot be used is the operator's to fix: a ConfigError naming the file.
function explicitKeyError(file: string, state: Exclude<KeyState, { status: 'ok' }>): ConfigError {
  switch (state.status) {
    case 'missing':
    case 'unreadable':
      return new ConfigError(`cannot read SSH private key ${file}: ${state.message}`, { hint: 'check ansible_ssh_private_key_file in the inventory and IdentityFile in the ssh config' })
    case 'encrypted':
      return new ConfigError(`SSH private key ${file} is encrypted and no passphrase was given`, { hint: PASSPHRASE_HINT })
    case 'bad-passphrase':
      return new ConfigError(`wrong passphrase for SSH private key ${file}`, { hint: 'check the passphrase for this key (AUTHCTL_SSH_KEY_PASSPHRASE_FILE)' })
    case 'invalid':
      return new ConfigError(`SSH private key ${file} is not a usable private key: ${state.message}`, { hint: 'point ansible_ssh_private_key_file / IdentityFile at an OpenSSH or PEM private key' })
  }
}

// Collects the credentials for a target: identity files in order (explicit, else OpenSSH's defaults),
// then the agent unless IdentitiesOnly. An encrypted key without passphrase is skipped when the agent
// can still be tried (it may hold that key), else it is a ConfigError.
export function resolveCredentials(input: CredentialInput, parser: KeyParser, env: NodeJS.ProcessEnv = process.env): SshCredentials {
  const creds: SshCredentials = { methods: [], skipped: [] }
  const agent = agentOf(input, env)
  const explicit = explicitFiles(input)
  for (const file of explicit.length > 0 ? explicit : (input.defaultIdentityFiles ?? [])) {
    const state = inspectKey(file, input.passphrase, parser)
    if (state.status === 'ok') {
      creds.methods.push({ type: 'publickey', label: `key file ${file}`, file, key: state.data, passphrase: input.passphrase, parsed: state.parsed })
      continue
    }
    if (explicit.length > 0 && !(state.status === 'encrypted' && agent !== undefined)) throw explicitKeyError(file, state)
    if (state.status === 'encrypted') creds.skipped.push(`key file ${file} (encrypted, no passphrase given)`)
    else if (state.status === 'bad-passphrase') creds.skipped.push(`key file ${file} (wrong passphrase)`)
  }
  if (agent !== undefined) creds.methods.push({ type: 'agent', label: `ssh-agent at ${agent}`, socket: agent })
  const firstKey = creds.methods.find((m) => m.type === 'publickey')
  if (firstKey) {
    creds.privateKey = firstKey.key
    creds.passphrase = firstKey.passphrase
  }
  creds.agent = agent
  if (creds.methods.length === 0) {
    const why = input.identitiesOnly ? 'IdentitiesOnly is set, so ssh-agent is not used' : 'no ssh-agent (SSH_AUTH_SOCK is unset)'
    const skipped = creds.skipped.length > 0 ? `; skipped: ${creds.skipped.join('; ')}` : ''
    throw new ConfigError(`no SSH credentials for host ${input.name}: no private key file and ${why}${skipped}`, {
      hint: 'set ansible_ssh_private_key_file or IdentityFile for the host, or start ssh-agent and add the key (ssh-add)',
    })
  }
  return creds
}

// resolveCredentials after asking the run's passphrase source, only when a key is encrypted.
export async function loadCredentials(
  input: CredentialInput,
  parser: KeyParser,
  passphrase?: () => Promise<string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SshCredentials> {
  if (input.passphrase === undefined && passphrase !== undefined && encryptedKeys(input, parser).length > 0) {
    const given = await passphrase()
    if (given !== undefined) return resolveCredentials({ ...input, passphrase: given }, parser, env)
  }
  return resolveCredentials(input, parser, env)
}
