// Ansible's ansible_ssh_common_args / ansible_ssh_extra_args: the ssh options authctl can honour become
// typed settings; anything else is a ConfigError naming the host and the option, never silently dropped.
import { ConfigError } from '../errors.js'
import { LexError, shellWords, splitConfigLine } from './ssh-config-lex.js'
import { proxyCommandToJump } from './ssh-config-proxy.js'
import { parseJumpList, parseOption, parsePort, SUPPORTED_KEYWORDS, type OptionValue } from './ssh-config-values.js'

// The settings carried by one variable, in command-line order (ssh keeps the first of each), plus warnings.
export interface SshArgs {
  options: OptionValue[]
  warnings: string[]
}

// Where the string came from, for messages, and whether StrictHostKeyChecking=no may pass.
export interface SshArgsContext {
  host: string
  variable: string
  allowInsecureHostKeys?: boolean
}

// The hint every rejection carries: what authctl does understand.
export const SUPPORTED_SSH_ARGS_HINT = `authctl understands -J, -p, -l, -i and -o ${Object.values(SUPPORTED_KEYWORDS).join('|')} (ProxyCommand only as "ssh -W %h:%p [user@]jump"); remove other options or set them in ~/.ssh/config`

function reject(ctx: SshArgsContext, what: string): never {
  throw new ConfigError(`host ${ctx.host}: ${ctx.variable}: unsupported ssh option ${what}`, { hint: SUPPORTED_SSH_ARGS_HINT })
}

// The warning (or refusal) for StrictHostKeyChecking=no, shared with resolve-target for config files.
export function insecureHostKeys(where: string, allow: boolean | undefined): string {
  if (!allow) {
    throw new ConfigError(`${where}: StrictHostKeyChecking=no would accept any host key`, {
      hint: 'use StrictHostKeyChecking yes or accept-new, or pass --insecure-ignore-host-keys to force it',
    })
  }
  return `${where}: StrictHostKeyChecking=no: keys of hosts missing from known_hosts are NOT verified (forced by --insecure-ignore-host-keys); changed keys are still refused`
}

// One `-o` argument, parsed as ssh does (`Key=Value` or `Key Value`), restricted to what authctl supports.
function optionArg(text: string, ctx: SshArgsContext): OptionValue {
  const split = splitConfigLine(text)
  if (split === undefined || SUPPORTED_KEYWORDS[split.keyword] === undefined) reject(ctx, `-o ${text}`)
  const origin = `host ${ctx.host}: ${ctx.variable}`
  const value = parseOption(split.keyword, split.rest, origin)
  if (value === undefined) reject(ctx, `-o ${text}`)
  if (value.key === 'proxyCommand' && value.value !== 'none') proxyCommandToJump(value.value, origin)
  return value
}

// Parses one variable's string into settings, in order.
export function parseSshArgs(text: string, ctx: SshArgsContext): SshArgs {
  let words: string[]
  try {
    words = shellWords(text)
  } catch (error) {
    throw new ConfigError(`host ${ctx.host}: ${ctx.variable}: ${(error as LexError).message}`, { cause: error })
  }
  const origin = `host ${ctx.host}: ${ctx.variable}`
  const options: OptionValue[] = []
  const warnings: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    const flag = /^-([oJpli])(.*)$/s.exec(word)
    if (!flag) reject(ctx, word)
    const value = flag[2] !== '' ? flag[2] : words[++i]
    if (value === undefined) reject(ctx, `${word} (missing its argument)`)
    const shown = `${word}${flag[2] !== '' ? '' : ` ${value}`}`
    switch (flag[1]) {
      case 'o': {
        const opt = optionArg(value, ctx)
        if (opt.key === 'strictHostKeyChecking' && opt.value === 'no') warnings.push(insecureHostKeys(origin, ctx.allowInsecureHostKeys))
        options.push(opt)
        break
      }
      case 'J': {
        const hops = parseJumpList(value)
        if (hops === undefined) reject(ctx, `${shown} (not a [user@]host[:port] list)`)
        if (options.some((o) => o.key === 'proxyJump' && o.origin.endsWith('-J'))) reject(ctx, `${shown} (only a single -J is permitted)`)
        options.push({ origin: `${origin} -J`, key: 'proxyJump', value: hops })
        break
      }
      case 'p': {
        const port = parsePort(value)
        if (port === undefined) reject(ctx, `${shown} (bad port)`)
        options.push({ origin, key: 'port', value: port })
        break
      }
      case 'l':
        options.push({ origin, key: 'user', value })
        break
      default:
        options.push({ origin, key: 'identityFile', value })
    }
  }
  return { options, warnings }
}
