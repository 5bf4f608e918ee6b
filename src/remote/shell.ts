// POSIX shell quoting: the one place where argv becomes a command line. SSH runs a single string
// through the remote user's shell, so every word must reach it as exactly one literal argument.

// Characters that never need quoting in any POSIX shell word (same set as Python's shlex.quote).
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

// Quotes one argument so the shell reads it back byte for byte: bare when safe, '' when empty,
// otherwise single quotes with each ' written as '"'"'.
export function quote(arg: string): string {
  if (arg === '') return "''"
  if (SAFE_WORD.test(arg)) return arg
  return `'${arg.replaceAll("'", `'"'"'`)}'`
}

// Joins argv into the command line the remote shell splits back into exactly argv.
export function commandLine(argv: readonly string[]): string {
  return argv.map(quote).join(' ')
}
