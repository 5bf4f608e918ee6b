import { commandLine } from './shell.js'

// Privilege escalation as data: every remote change runs through non-interactive sudo, so a host
// that would prompt for a password fails at once instead of hanging.
export function sudo(argv: readonly string[]): string[] {
  return ['sudo', '-n', '--', ...argv]
}

// A constant POSIX script run as root with its data passed as positional parameters ("$@"), so no
// value is ever spliced into shell code. `name` becomes $0 and shows in `ps` and error messages.
export function rootScript(name: string, script: string, args: readonly string[]): string[] {
  return sudo(['sh', '-c', script, name, ...args])
}

// How a command is named in messages (timeouts, cancellations): a root script by its name ($0), anything
// else by the first line of its command line, cut at 120 characters — never a whole script.
export function commandName(argv: readonly string[]): string {
  const [sudoWord, , , shell, flag, , name] = argv
  if (sudoWord === 'sudo' && shell === 'sh' && flag === '-c' && name !== undefined) return name
  return (commandLine(argv).split('\n')[0] ?? '').slice(0, 120)
}
