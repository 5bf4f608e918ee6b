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
