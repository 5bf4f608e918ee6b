// A connected host: each command is an exec channel on the one connection, running exactly the
// quoted argv; losing the connection fails every pending and later command as UnreachableError.
import type { Client, ClientChannel } from 'ssh2'
import { UnreachableError } from '../errors.js'
import { commandLine } from '../remote/shell.js'
import { createLimiter } from './limit.js'
import type { ExecOptions, ExecResult, ReachInfo, RemoteHost } from './ssh-host.js'

// sshd's MaxSessions defaults to 10 channels per connection; stay below it.
const MAX_CHANNELS = 8

// A connected host; commands share its connection as concurrent channels.
export class SshRemoteHost implements RemoteHost {
  private lost?: UnreachableError
  private closing = false
  private readonly pending = new Set<(err: UnreachableError) => void>()
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
      let settled = false
      let channel: ClientChannel | undefined
      let timer: NodeJS.Timeout | undefined
      const finish = (action: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.pending.delete(fail)
        action()
      }
      const fail = (err: UnreachableError): void =>
        finish(() => {
          channel?.close()
          reject(err)
        })
      this.pending.add(fail)
      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs
        timer = setTimeout(() => {
          channel?.signal('KILL')
          fail(new UnreachableError(`${this.name}: remote command timed out after ${ms} ms: ${commandLine(argv).slice(0, 120)}`))
        }, ms)
      }
      this.client.exec(commandLine(argv), (err, ch) => {
        if (err) return fail(new UnreachableError(`${this.name}: cannot open an SSH channel on ${this.where}: ${err.message}`, { cause: err }))
        if (settled) return void ch.close()
        channel = ch
        const stdout: Buffer[] = []
        const stderr: Buffer[] = []
        let code: number | null = null
        let signal: string | null = null
        ch.on('data', (chunk: Buffer) => stdout.push(chunk))
        ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        ch.on('exit', (exitCode: number | null, signalName?: string) => {
          code = exitCode ?? null
          signal = signalName ?? null
        })
        ch.on('close', () =>
          finish(() => resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code, signal })),
        )
        // Always send EOF so a command reading stdin never waits for input that will not come.
        if (opts.stdin === undefined) ch.end()
        else ch.end(opts.stdin)
      })
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
