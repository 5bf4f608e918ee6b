// One inventory host → where and how to connect: Ansible's connection variables as ssh command-line
// options (so they win), then ~/.ssh/config, with jump hosts resolved through the config like ssh does.
import { ConfigError } from '../errors.js'
import { insecureHostKeys, parseSshArgs } from './ssh-args.js'
import type { SshConfig } from './ssh-config.js'
import { proxyCommandToJump } from './ssh-config-proxy.js'
import { finalHost, resolveHostOptions, type SshOptions } from './ssh-config-resolve.js'
import { expandPath, type TokenContext } from './ssh-config-tokens.js'
import type { JumpSpec, OptionValue } from './ssh-config-values.js'

export { loadSshConfig } from './ssh-config.js'

// One hop before the target, nearest to us first; host-key fields so each hop is verified like any host.
export interface JumpHop {
  host: string
  port: number
  user: string
  identityFiles: string[]
  identitiesOnly: boolean
  knownHostsFiles: string[]
  strictHostKeyChecking: 'yes' | 'accept-new' | 'no'
}

// Everything the SSH transport needs for one inventory host.
export interface ResolvedTarget {
  name: string
  host: string
  port: number
  user: string
  identityFiles: string[]
  identitiesOnly: boolean
  jumps: JumpHop[]
  knownHostsFiles: string[]
  strictHostKeyChecking: 'yes' | 'accept-new' | 'no'
  serverAliveIntervalS?: number
  connectTimeoutS?: number
  warnings: string[]
}

// The inventory side: HostConfig's connection fields.
export interface TargetInput {
  name: string
  ansibleHost?: string
  ansiblePort?: number
  ansibleUser?: string
  privateKeyFile?: string
  sshCommonArgs?: string
  sshExtraArgs?: string
}

// The local side: whose home `~`/%d mean, who %u/the default user is, and the insecure override.
export interface ResolveOptions {
  localUser: string
  homeDir: string
  allowInsecureHostKeys?: boolean
  env?: NodeJS.ProcessEnv
  localHostName?: string
}

// ssh's bound on jump recursion here; a deeper chain is almost surely a mistake.
const MAX_JUMP_DEPTH = 10

interface Endpoint extends JumpHop {
  jumps: JumpHop[]
  serverAliveIntervalS?: number
  connectTimeoutS?: number
}

interface Walk {
  config: SshConfig | undefined
  opts: ResolveOptions
  warnings: string[]
  cmdlineOrigins: Set<string>
  stack: string[]
}

function strictOf(o: SshOptions, label: string, w: Walk): 'yes' | 'accept-new' | 'no' {
  const s = o.strictHostKeyChecking
  if (s === undefined || s.value === 'ask' || s.value === 'yes') return 'yes'
  if (s.value === 'no') {
    // ssh-args already refused or warned for its own values; config-file values are checked here.
    if (!w.cmdlineOrigins.has(s.origin)) w.warnings.push(insecureHostKeys(`${label} (${s.origin})`, w.opts.allowInsecureHostKeys))
    return 'no'
  }
  return s.value
}

// The hops in front of an endpoint: ProxyJump, or a `ssh -W` ProxyCommand mapped onto one.
function jumpsOf(o: SshOptions, w: Walk): JumpHop[] {
  const jump = o.proxyJump?.value
  if (jump !== undefined && jump !== 'none') return chain(jump, [], w)
  const command = o.proxyCommand
  if (command === undefined || command.value === 'none') return []
  const mapped = proxyCommandToJump(command.value, command.origin)
  return chain([...mapped.before, mapped.hop], mapped.identityFiles, w)
}

// ssh runs `ssh -l user -p port -J <earlier hops> lasthop` for the hop in front of the target.
function chain(hops: readonly JumpSpec[], identityFiles: readonly string[], w: Walk): JumpHop[] {
  const last = hops[hops.length - 1]
  if (last === undefined) return []
  const origin = `jump host ${last.host}`
  const cmdline: OptionValue[] = []
  if (last.user !== undefined) cmdline.push({ origin, key: 'user', value: last.user })
  if (last.port !== undefined) cmdline.push({ origin, key: 'port', value: last.port })
  for (const file of identityFiles) cmdline.push({ origin, key: 'identityFile', value: file })
  if (hops.length > 1) cmdline.push({ origin, key: 'proxyJump', value: hops.slice(0, -1) })
  const hop = endpoint(last.host, cmdline, w)
  const { jumps, serverAliveIntervalS: _a, connectTimeoutS: _c, ...self } = hop
  return [...jumps, self]
}

function endpoint(destination: string, cmdline: OptionValue[], w: Walk, label = `jump host ${destination}`): Endpoint {
  for (const v of cmdline) w.cmdlineOrigins.add(v.origin)
  const key = `${destination}|${JSON.stringify(cmdline.map((v) => [v.key, v.value]))}`
  if (w.stack.includes(key) || w.stack.length > MAX_JUMP_DEPTH) {
    const path = [...w.stack, key].map((k) => k.split('|')[0]).join(' -> ')
    throw new ConfigError(`ProxyJump loop: ${path}`, { hint: 'a jump host must not (directly or through its own ProxyJump) need the host it leads to' })
  }
  w.stack.push(key)
  const o = resolveHostOptions(w.config, destination, { localUser: w.opts.localUser, cmdline })
  const host = finalHost(o, destination)
  const port = o.port?.value ?? 22
  const user = o.user?.value ?? w.opts.localUser
  const tokens: TokenContext = { homeDir: w.opts.homeDir, localUser: w.opts.localUser, host, originalHost: destination, remoteUser: user, port, env: w.opts.env, localHostName: w.opts.localHostName }
  const knownRaw = o.userKnownHostsFiles
  const knownHostsFiles =
    knownRaw === undefined
      ? [`${w.opts.homeDir}/.ssh/known_hosts`, `${w.opts.homeDir}/.ssh/known_hosts2`]
      : knownRaw.value.length === 1 && knownRaw.value[0]?.toLowerCase() === 'none'
        ? []
        : knownRaw.value.map((f) => expandPath(f, tokens, knownRaw.origin))
  const result: Endpoint = {
    host,
    port,
    user,
    identityFiles: o.identityFiles.map((f) => expandPath(f.value, tokens, f.origin)),
    identitiesOnly: o.identitiesOnly?.value ?? false,
    knownHostsFiles,
    strictHostKeyChecking: strictOf(o, label, w),
    jumps: jumpsOf(o, w),
    serverAliveIntervalS: o.serverAliveInterval?.value,
    connectTimeoutS: o.connectTimeout?.value,
  }
  w.stack.pop()
  return result
}

// Inventory variables become ssh's command-line options in the order Ansible's ssh plugin passes them.
function inventoryCmdline(input: TargetInput, opts: ResolveOptions, warnings: string[]): OptionValue[] {
  const cmdline: OptionValue[] = []
  if (input.ansiblePort !== undefined) cmdline.push({ origin: `host ${input.name}: ansible_port`, key: 'port', value: input.ansiblePort })
  if (input.privateKeyFile) cmdline.push({ origin: `host ${input.name}: ansible_ssh_private_key_file`, key: 'identityFile', value: input.privateKeyFile })
  if (input.ansibleUser) cmdline.push({ origin: `host ${input.name}: ansible_user`, key: 'user', value: input.ansibleUser })
  for (const [variable, text] of [['ansible_ssh_common_args', input.sshCommonArgs], ['ansible_ssh_extra_args', input.sshExtraArgs]] as const) {
    if (text === undefined || text.trim() === '') continue
    const parsed = parseSshArgs(text, { host: input.name, variable, allowInsecureHostKeys: opts.allowInsecureHostKeys })
    cmdline.push(...parsed.options)
    warnings.push(...parsed.warnings)
  }
  return cmdline
}

// Resolves one inventory host: ssh destination is ansible_host (else the name), as Ansible passes it to ssh.
export function resolveTarget(input: TargetInput, config: SshConfig | undefined, opts: ResolveOptions): ResolvedTarget {
  const warnings: string[] = []
  const cmdline = inventoryCmdline(input, opts, warnings)
  const w: Walk = { config, opts, warnings, cmdlineOrigins: new Set(), stack: [] }
  const target = endpoint(input.ansibleHost ?? input.name, cmdline, w, `host ${input.name}`)
  const { serverAliveIntervalS, connectTimeoutS, ...rest } = target
  return {
    name: input.name,
    ...rest,
    ...(serverAliveIntervalS === undefined ? {} : { serverAliveIntervalS }),
    ...(connectTimeoutS === undefined ? {} : { connectTimeoutS }),
    warnings,
  }
}
