// Lines from many hosts on one screen: each prefixed with its host name, padded so the text lines
// up, in a colour per host on a terminal, with whatever the host sent stripped of control characters.
import { sanitizeRemote } from '../../util/sanitize.js'

// Colours that read on dark and light terminals, one per host in turn.
const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92]

// Where the lines go (process.stdout/stderr, or streams in tests).
export interface HostLineStreams {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
}

// A printer for the given hosts: stdout lines to stdout, the hosts' stderr to stderr.
export function hostLinePrinter(hosts: readonly string[], out: HostLineStreams, colour: boolean): (host: string, stream: 'stdout' | 'stderr', text: string) => void {
  const width = Math.max(0, ...hosts.map((h) => h.length))
  const prefix = new Map(hosts.map((h, i) => {
    const label = `${h.padEnd(width)} |`
    return [h, colour ? `\x1b[${PALETTE[i % PALETTE.length]}m${label}\x1b[0m` : label]
  }))
  return (host, stream, text) => {
    out[stream].write(`${prefix.get(host) ?? `${host} |`} ${sanitizeRemote(text)}\n`)
  }
}
