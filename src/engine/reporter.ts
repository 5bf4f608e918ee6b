// Progress output. On a terminal and in CI every event is one plain line on stderr ("[host] what
// happened"), so stdout stays for results; with --json nothing but the result is printed.

export interface Reporter {
  // something happened on one host (or on the bastion, with host '*')
  event(host: string, message: string): void
  warn(host: string, message: string): void
}

// One line per event, prefixed with the host; colour only on a terminal.
export function lineReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }): Reporter {
  const tty = Boolean(stream.isTTY) && !process.env.NO_COLOR
  const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[22m` : s)
  const yellow = (s: string) => (tty ? `\x1b[33m${s}\x1b[39m` : s)
  return {
    event: (host, message) => stream.write(`${dim(`[${host}]`)} ${message}\n`),
    warn: (host, message) => stream.write(`${dim(`[${host}]`)} ${yellow(`warning: ${message}`)}\n`),
  }
}

// Prints nothing: for --json, where stdout carries only the result.
export const silentReporter: Reporter = { event: () => undefined, warn: () => undefined }
