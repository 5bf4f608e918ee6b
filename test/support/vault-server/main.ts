// Standalone Vault test server for the test bed and for manual runs:
//   node --import tsx test/support/vault-server/main.ts --host 127.0.0.1 --port 0 [--seed] [--ready-file PATH]
// Prints (or writes atomically to the ready file) {"addr","rootToken","operatorToken","roleId","pid"} and
// runs until SIGTERM/SIGINT. The root token may be preset through VAULT_TEST_ROOT_TOKEN (never argv).
import { renameSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startVaultServer } from './index.js'
import { seedRunbook } from './seed.js'

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    seed: { type: 'boolean', default: false },
    'ready-file': { type: 'string' },
  },
})

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`vault-server: invalid --port ${values.port}\n`)
  process.exit(2)
}

const server = await startVaultServer({ host: values.host, port, rootToken: process.env.VAULT_TEST_ROOT_TOKEN || undefined })
let operatorToken: string | null = null
let roleId: string | null = null
if (values.seed) ({ operatorToken, roleId } = await seedRunbook(server.addr, server.rootToken))

const info = JSON.stringify({ addr: server.addr, rootToken: server.rootToken, operatorToken, roleId, pid: process.pid })
const readyFile = values['ready-file']
if (readyFile) {
  writeFileSync(`${readyFile}.tmp`, info + '\n', { mode: 0o600 })
  renameSync(`${readyFile}.tmp`, readyFile)
} else {
  process.stdout.write(info + '\n')
}

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  void server.close().then(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
