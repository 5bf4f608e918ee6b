// PostgreSQL's cancel request: how Ctrl-C stops a statement the server is running. Closing our connection
// would not do it: a backend waiting for a lock notices a vanished client only when it next writes, so
// the ALTER ROLE would still commit once the lock is free. The cancel goes on a new connection.
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { DbEndpoint } from './db-types.js'

// CancelRequest (protocol 3.0): length 16, the code 80877102, then the backend's process id and secret key.
export function cancelRequestPacket(processId: number, secretKey: number): Buffer {
  const packet = Buffer.alloc(16)
  packet.writeInt32BE(16, 0)
  packet.writeInt32BE(80877102, 4)
  packet.writeInt32BE(processId, 8)
  packet.writeInt32BE(secretKey, 12)
  return packet
}

async function openRoute(endpoint: DbEndpoint): Promise<Duplex> {
  if (endpoint.via !== undefined) return endpoint.via.open(endpoint.host, endpoint.port)
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    socket.once('error', reject).connect(endpoint.port, endpoint.host, () => resolve(socket))
  })
}

// Sends the cancel along the endpoint's route, plain as libpq did before PostgreSQL 17 (the server reads
// it before any TLS or login); true once the server closed the connection after reading it. Never throws.
export function sendCancel(endpoint: DbEndpoint, processId: number, secretKey: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    let stream: Duplex | undefined
    let done = false
    const finish = (sent: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      stream?.destroy()
      resolve(sent)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    openRoute(endpoint).then((opened) => {
      stream = opened
      if (done) return void opened.destroy()
      opened.on('data', () => undefined).once('end', () => finish(true)).once('close', () => finish(true)).once('error', () => finish(false))
      opened.end(cancelRequestPacket(processId, secretKey))
    }, () => finish(false))
  })
}
