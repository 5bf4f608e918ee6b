// Gathers one remote command's stdout and stderr: kept whole up to a byte cap, or streamed line by
// line to a callback (then only a partial last line is held). Going over the cap calls onOverflow once.
import { StringDecoder } from 'node:string_decoder'

type Stream = 'stdout' | 'stderr'

// Most bytes one streamed line may hold before it is cut (a host that never sends a newline).
const MAX_LINE = 64 * 1024

export class OutputCollector {
  private readonly kept: Record<Stream, Buffer[]> = { stdout: [], stderr: [] }
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' }
  // a character whose bytes arrive in two chunks waits here for its last byte (decoded chunk by chunk it became replacement characters)
  private readonly decoders: Record<Stream, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') }
  private bytes = 0
  private overflowed = false

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: ((stream: Stream, line: string) => void) | undefined,
    private readonly onOverflow: () => void,
  ) {}

  add(stream: Stream, chunk: Buffer): void {
    if (this.overflowed) return
    if (this.onLine) return this.stream(stream, chunk)
    this.bytes += chunk.length
    if (this.bytes > this.maxBytes) {
      this.overflowed = true
      this.onOverflow()
      return
    }
    this.kept[stream].push(chunk)
  }

  private stream(stream: Stream, chunk: Buffer): void {
    const text = this.partial[stream] + this.decoders[stream].write(chunk)
    const lines = text.split('\n')
    let rest = lines.pop() ?? ''
    for (const line of lines) this.onLine?.(stream, line)
    if (rest.length > MAX_LINE) {
      this.onLine?.(stream, rest.slice(0, MAX_LINE))
      rest = ''
    }
    this.partial[stream] = rest
  }

  // What was kept (streamed output is flushed to the callback, not returned).
  result(): { stdout: string; stderr: string } {
    for (const s of ['stdout', 'stderr'] as const) {
      this.partial[s] += this.decoders[s].end()
      if (this.partial[s] !== '') this.onLine?.(s, this.partial[s])
      this.partial[s] = ''
    }
    return { stdout: Buffer.concat(this.kept.stdout).toString('utf8'), stderr: Buffer.concat(this.kept.stderr).toString('utf8') }
  }
}
