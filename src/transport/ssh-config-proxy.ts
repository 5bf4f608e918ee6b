// ProxyCommand is a shell command ssh runs; authctl only understands the classic
// `ssh -W %h:%p [user@]jump` (the pre-ProxyJump idiom) and maps it onto a jump hop.
import { ConfigError } from '../errors.js'
import { LexError, shellWords } from './ssh-config-lex.js'
import { parseJumpList, parseJumpSpec, parsePort, type JumpSpec } from './ssh-config-values.js'

// The jump a ProxyCommand stands for: the hop, the options it passes to that ssh, and any -J before it.
export interface ProxyCommandJump {
  hop: JumpSpec
  identityFiles: string[]
  before: JumpSpec[]
}

const FORM = 'ssh -W %h:%p [-q] [-p port] [-l user] [-i key] [-J jumps] [user@]jumphost'

function unsupported(origin: string, command: string, why: string): never {
  throw new ConfigError(`${origin}: unsupported ProxyCommand "${command}": ${why}`, {
    hint: `authctl only understands ProxyCommand ${FORM}; prefer ProxyJump`,
  })
}

// Maps `[exec] ssh -W %h:%p … host` to a hop; any other command is a ConfigError naming its origin.
export function proxyCommandToJump(command: string, origin: string): ProxyCommandJump {
  let words: string[]
  try {
    words = shellWords(command)
  } catch (error) {
    return unsupported(origin, command, (error as LexError).message)
  }
  if (words[0] === 'exec') words.shift()
  const bin = words.shift()
  if (bin === undefined || !/^(?:.*\/)?ssh$/.test(bin)) unsupported(origin, command, 'it does not run ssh')
  let forward: string | undefined
  let host: string | undefined
  let user: string | undefined
  let port: number | undefined
  let before: JumpSpec[] = []
  const identityFiles: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    const flag = /^-([WplJi])(.*)$/s.exec(word)
    if (word === '-q') continue
    if (flag) {
      const value = flag[2] !== '' ? flag[2] : words[++i]
      if (value === undefined) unsupported(origin, command, `${word} needs an argument`)
      if (flag[1] === 'W') forward = value
      else if (flag[1] === 'p') port = parsePort(value) ?? unsupported(origin, command, `bad port "${value}"`)
      else if (flag[1] === 'l') user ??= value
      else if (flag[1] === 'i') identityFiles.push(value)
      else {
        const list = parseJumpList(value)
        if (list === undefined || list === 'none') unsupported(origin, command, `bad -J "${value}"`)
        before = list
      }
    } else if (word.startsWith('-')) unsupported(origin, command, `option ${word} is not understood`)
    else if (host !== undefined) unsupported(origin, command, `unexpected argument "${word}"`)
    else {
      const spec = parseJumpSpec(word)
      if (spec === undefined || spec.port !== undefined || /%/.test(word)) unsupported(origin, command, 'it must name one jump host as [user@]host')
      host = spec.host
      user ??= spec.user
    }
  }
  if (forward !== '%h:%p' && forward !== '[%h]:%p') unsupported(origin, command, 'it must forward with -W %h:%p')
  if (host === undefined) unsupported(origin, command, 'it must name one jump host as [user@]host')
  // Like ssh's own argv: whichever of -l and user@ comes first sets the user.
  return { hop: { host, user, port }, identityFiles, before }
}
