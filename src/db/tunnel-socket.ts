// Makes a stream opened through another machine (an SSH direct-tcpip channel) look like the net.Socket
// pg drives: pg calls connect(port, host), waits for 'connect', and may wrap it in TLS for the real host.
import { Duplex } from 'node:stream'
import { UnreachableError } from '../errors.js'
import type { StreamOpener } from './db-types.js'

// The route's name for messages, and how long it may carry nothing before it counts as stalled.
export interface TunnelBounds {
  name: string
  idleTimeoutMs: number
}

// A pg `stream` whose connect() opens the route and then relays bytes both ways, with backpressure. A
// route that carries nothing for idleTimeoutMs is cut with an error naming it: an SSH connection whose
// far end vanished does not fail by itself, and pg would wait for ever.
export class TunnelSocket extends Duplex {
  #inner?: Duplex
  #opening?: Promise<Duplex>
  #idle?: NodeJS.Timeout
  #target = ''

  constructor(private readonly open: StreamOpener, private readonly bounds?: TunnelBounds) {
    super()
  }

  // Restarted by every byte either way; the server's own bounds (statement_timeout) are shorter.
  #touch(): void {
    if (this.bounds === undefined || this.destroyed) return
    clearTimeout(this.#idle)
    const { name, idleTimeoutMs } = this.bounds
    this.#idle = setTimeout(() => this.destroy(new UnreachableError(`${name}: the tunnel to ${this.#target} carried nothing for ${Math.round(idleTimeoutMs / 100) / 10} s: the database or the route through ${name} stopped answering`, {
      hint: `Check that ${name} can still reach ${this.#target}; nothing more is sent on this connection.`,
    })), idleTimeoutMs)
    this.#idle.unref()
  }

  connect(port: number, host: string): this {
    this.#target = `${host}:${port}`
    this.#opening = this.open(host, port).then((inner) => {
      if (this.destroyed) {
        inner.destroy()
        return inner
      }
      this.#inner = inner
      this.#touch()
      inner.on('data', (chunk: Buffer) => {
        this.#touch()
        if (!this.push(chunk)) inner.pause()
      })
      inner.on('end', () => this.push(null))
      inner.on('error', (error: Error) => this.destroy(error))
      inner.on('close', () => this.destroy())
      this.emit('connect')
      return inner
    })
    this.#opening.catch((error: unknown) => this.destroy(error as Error))
    return this
  }

  // pg tunes these on TCP sockets; a tunnel has no socket options of its own.
  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  override _read(): void {
    this.#inner?.resume()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#touch()
    const inner = this.#inner
    if (inner !== undefined) return void inner.write(chunk, callback)
    if (this.#opening === undefined) return callback(new Error('tunnel not connected'))
    this.#opening.then((opened) => opened.write(chunk, callback), (error: Error) => callback(error))
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner?.end()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#idle)
    this.#inner?.destroy()
    // Let a TLS layer on top report its own error (a certificate mismatch) before pg sees 'close'.
    setImmediate(() => callback(error))
  }
}
