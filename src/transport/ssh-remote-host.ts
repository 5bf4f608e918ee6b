// A connected host: each command is an exec channel on the one connection, running exactly the
// quoted argv; losing the connection fails every pending and later command as UnreachableError.
import type { Client, ClientChannel } from 'ssh2'
import { HostFailedError, InterruptedError, UnreachableError, type AuthctlError } from '../errors.js'
import { EXEC_DEFAULTS } from '../remote/exec-result.js'
import { OutputCollector } from './output-collector.js'
import { commandLine } from '../remote/shell.js'
import { commandName } from '../remote/sudo.js'
import { createLimiter } from '../util/limiter.js'
import type { ReachInfo, SshConnection } from './ssh-types.js'
import type { ExecOptions, ExecResult } from '../remote/exec-result.js'

// sshd's MaxSessions defaults to 10 channels per connection; stay below it.
const MAX_CHANNELS = 8
// Times a refused channel open is retried (100, 200, 400 ms apart) before the host counts as unreachable.
const CHANNEL_RETRIES = 3

// A connected host; commands share its connection as concurrent channels.
export class SshRemoteHost implements SshConnection {
  private lost?: UnreachableError
  private closing = false
  private readonly pending = new Set<(err: AuthctlError) => void>()
  private readonly limit = createLimiter(MAX_CHANNELS)

  constructor(
    readonly name: string,
    readonly hostKeyFingerprint: string,
    readonly handshakeMs: number,
    private readonly client: Client,
    private readonly where: string,
    readonly reach?: ReachInfo,
    // Closes what this host alone uses besides its own connection (its private jump hosts).
    private readonly afterClose?: () => Promise<void>,
  ) {
    client.on('error', (err: Error) => this.markLost(`SSH connection to ${where} failed: ${err.message}`))
    client.on('end', () => this.markLost(`SSH connection to ${where} was closed`))
    client.on('close', () => this.markLost(`SSH connection to ${where} was closed`))
  }

  // Whether the connection is gone (a new one is needed to reach the host again).
  get isLost(): boolean {
    return this.lost !== undefined
  }

  private markLost(message: string): void {
    this.lost ??= new UnreachableError(`${this.name}: ${this.closing ? 'connection already closed by authctl' : message}`)
    for (const fail of this.pending) fail(this.lost)
    this.pending.clear()
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.limit(() => this.run(argv, opts))
  }

  private run(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.lost) return reject(this.lost)
      if (opts.signal?.aborted) return reject(new InterruptedError(`${this.name}: command cancelled before it started`))
      let settled = false
      let channel: ClientChannel | undefined
      const timeoutMs = opts.timeoutMs ?? EXEC_DEFAULTS.timeoutMs
      const maxBytes = opts.maxOutputBytes ?? EXEC_DEFAULTS.maxOutputBytes
      const what = commandName(argv)
      const finish = (action: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        opts.signal?.removeEventListener('abort', onAbort)
        this.pending.delete(fail)
        action()
      }
      const fail = (err: AuthctlError): void =>
        finish(() => {
          // EOF first: a wrapper that stops on EOF (logs -f) ends its remote process cleanly
          channel?.end()
          channel?.signal('KILL')
          channel?.close()
          reject(err)
        })
      const onAbort = (): void => fail(new InterruptedError(`${this.name}: cancelled: ${what}`))
      this.pending.add(fail)
      opts.signal?.addEventListener('abort', onAbort, { once: true })
      // a hung command fails its host; it never holds the run
      const timer = setTimeout(() => fail(new HostFailedError(`${this.name}: remote command timed out after ${timeoutMs} ms: ${what}`)), timeoutMs)
      let refusals = 0
      const open = (): void => void this.client.exec(commandLine(argv), (err, ch) => {
        // sshd refuses a session while closed ones are still being torn down (MaxSessions): nothing ran yet, so ask again
        if (err && /Channel open failure/.test(err.message) && refusals < CHANNEL_RETRIES && !settled) {
          refusals++
          return void setTimeout(open, 100 * 2 ** refusals)
        }
        if (err) return fail(new UnreachableError(`${this.name}: cannot open an SSH channel on ${this.where}: ${err.message}`, { cause: err }))
        if (settled) return void ch.close()
        channel = ch
        const out = new OutputCollector(maxBytes, opts.onLine, () => fail(new HostFailedError(`${this.name}: sent more than ${maxBytes} bytes of output: ${what}`)))
        let code: number | null = null
        let signal: string | null = null
        ch.on('data', (chunk: Buffer) => out.add('stdout', chunk))
        ch.stderr.on('data', (chunk: Buffer) => out.add('stderr', chunk))
        ch.on('exit', (exitCode: number | null, signalName?: string) => {
          code = exitCode ?? null
          signal = signalName ?? null
        })
        ch.on('close', () => finish(() => resolve({ ...out.result(), code, signal })))
        // Send EOF (unless asked to hold stdin) so a command reading stdin never waits for input that will not come.
        if (opts.stdin !== undefined) ch.write(opts.stdin)
        if (!opts.holdStdin) ch.end()
      })
      open()
    })
  }

  async close(): Promise<void> {
    if (this.lost) return void (await this.afterClose?.())
    this.closing = true
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000)
      this.client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.client.end()
    })
    this.markLost('closed')
    await this.afterClose?.()
  }
}
