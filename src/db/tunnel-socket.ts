// Makes a stream opened through another machine (an SSH direct-tcpip channel) look like the net.Socket
// pg drives: pg calls connect(port, host), waits for 'connect', and may wrap it in TLS for the real host.
import { Duplex } from 'node:stream'
import type { StreamOpener } from './db-types.js'

// A pg `stream` whose connect() opens the route and then relays bytes both ways, with backpressure.
export class TunnelSocket extends Duplex {
  #inner?: Duplex
  #opening?: Promise<Duplex>

  constructor(private readonly open: StreamOpener) {
    super()
  }

  connect(port: number, host: string): this {
    this.#opening = this.open(host, port).then((inner) => {
      if (this.destroyed) {
        inner.destroy()
        return inner
      }
      this.#inner = inner
      inner.on('data', (chunk: Buffer) => {
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
    this.#inner?.destroy()
    // Let a TLS layer on top report its own error (a certificate mismatch) before pg sees 'close'.
    setImmediate(() => callback(error))
  }
}
