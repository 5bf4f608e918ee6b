// A recording fake host for the secret-id swap play (regen-secret-id, adopt): a running stack whose
// secret-id file holds `file`, the record `record`, and whose write/converge commands follow `convergeCodes`.
import type { RemoteHost } from '../../../../src/remote/remote-host.js'
import { contentSha } from '../../../../src/steps/secret-id-record.js'
import { UnreachableError } from '../../../../src/errors.js'

export const ROOT = '/data/authentik'
export const SECRET = `${ROOT}/vault/config/secret-id`
export const OLD = 'old-secret-id-value\n'
const ps = ['vault-agent', 'server', 'worker'].map((s) => `ps\t{"Service":"${s}","State":"running","Health":"healthy"}`).join('\n')

// cut: the connection drops after the host has renamed this many files into place (the last lines never arrive)
export interface Fake { convergeCodes: number[]; cut?: 'after-record' | 'after-written'; record?: string; name?: string; file?: string }

export function fakeHost(log: string[], writes: string[][], fake: Fake): RemoteHost {
  const { convergeCodes } = fake
  const record = fake.record ?? `accessor\tacc-old-01 ${contentSha(OLD)}\n`
  const file = fake.file ?? OLD
  const name = fake.name ?? 'h1'
  return {
    name,
    exec: async (argv, opts = {}) => {
      const script = argv[6] ?? ''
      log.push(script)
      if (script === 'authctl-state') {
        return { code: 0, stderr: '', stdout: `stat\tregular file\t400\t100\t1000\t${SECRET}\nsha\t${contentSha(file)}  ${SECRET}\n${record}${ps}\n` }
      }
      if (script === 'authctl-read-secret') return { code: 0, stderr: '', stdout: file }
      if (script === 'authctl-write' || script === 'authctl-write-converge') {
        // the write args come in groups "f MODE UID GID SIZE PATH" (up to "--then"); split stdin by the sizes
        const all = argv.slice(7)
        const args = all.includes('--then') ? all.slice(0, all.indexOf('--then')) : all
        const stdin = Buffer.from(opts.stdin ?? '')
        const files: string[] = []
        let at = 0
        for (let i = 0; i < args.length; i += 6) {
          const size = Number(args[i + 4])
          files.push(`${args[i + 5]}=${stdin.subarray(at, at + size).toString()}`)
          at += size
        }
        writes.push(files)
        if (fake.cut === 'after-record') {
          // the host renamed the record and the secret-id, but only the first line reached authctl
          opts.onLine?.('stdout', `wrote\t${files[0]?.split('=')[0]}`)
          fake.cut = undefined
          throw new UnreachableError(`${name}: the SSH connection was lost`)
        }
        for (const f of files) opts.onLine?.('stdout', `wrote\t${f.split('=')[0]}`)
        if (script === 'authctl-write') return { code: 0, stderr: '', stdout: '' }
        // the agent's restart follows in the same command
        opts.onLine?.('stdout', 'written')
        if (fake.cut === 'after-written') {
          fake.cut = undefined
          throw new UnreachableError(`${name}: the SSH connection was lost`)
        }
        const code = convergeCodes.shift() ?? 0
        return { code, stderr: code === 0 ? '' : '[ERROR] agent.auth.handler: error authenticating', stdout: '' }
      }
      if (script === 'authctl-converge') {
        const code = convergeCodes.shift() ?? 0
        return { code, stderr: code === 0 ? '' : '[ERROR] agent.auth.handler: error authenticating', stdout: '' }
      }
      return { code: 0, stderr: '', stdout: '' }
    },
  }
}
