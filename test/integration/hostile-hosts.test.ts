// Host keys and hostile output against a real sshd of the test bed: a changed key is refused even when
// --insecure-ignore-host-keys lets StrictHostKeyChecking=no through; @cert-authority hosts are refused
// (ssh2 cannot check host certificates) instead of being trusted on first use; @revoked wins; and what a
// hostile host or SSH peer sends (lock details, a disconnect reason) reaches the operator escaped.
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fingerprint } from '../../src/transport/known-hosts.js'
import { startTestbed, type Testbed } from '../support/testbed/index.js'
import { runCli } from './support/cli.js'

let bed: Testbed
let dir: string
let env: NodeJS.ProcessEnv
let address: string
let hostKey: { body: string; blob: Buffer }

const OSC52 = '\x1b]52;c;cm0gLXJmIH4K\x07'
const SHOWN = '\\x1b]52;c;cm0gLXJmIH4K\\x07'
// eslint-disable-next-line no-control-regex -- any raw control but a newline in operator output is a failure
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

// An ed25519 public key body ("ssh-ed25519 AAAA…") made by ssh-keygen, its private half at dir/name.
function keygen(name: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)])
  return readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ')
}

function file(name: string, lines: string[]): string {
  const path = join(dir, name)
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''))
  return path
}

// A one-host inventory for the bed's host; extra ssh options go in ansible_ssh_common_args.
function inventory(name: string, sshArgs = ''): string {
  const h = bed.hosts[0]
  const args = sshArgs === '' ? '' : ` ansible_ssh_common_args='${sshArgs}'`
  return file(`${name}.ini`, ['[authentik]', `${h?.name} ansible_host=${h?.address} ansible_port=22 ansible_user=${bed.user} ansible_ssh_private_key_file=${bed.keyFile}${args}`])
}

interface CheckJson {
  hosts: Array<{ reachable: boolean; hostKeyVerified: boolean | null; error: { message: string; hint: string | null } | null }>
}

async function sshCheck(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; json?: CheckJson }> {
  const r = await runCli(['ssh-check', '-F', 'none', ...args], env, 30_000)
  return { ...r, json: args.includes('--json') ? (JSON.parse(r.stdout) as CheckJson) : undefined }
}

beforeAll(async () => {
  bed = await startTestbed({ hosts: 1, vault: false })
  dir = mkdtempSync(join(tmpdir(), 'authctl-hostile-'))
  const home = join(dir, 'home')
  mkdirSync(home)
  env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' }
  address = bed.hosts[0]?.address as string
  const body = readFileSync(bed.knownHostsPath, 'utf8').trim().split(' ').slice(1, 3).join(' ')
  hostKey = { body, blob: Buffer.from(body.split(' ')[1] as string, 'base64') }
})

afterAll(async () => {
  await bed?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('host keys against a real sshd', () => {
  it('a changed key is refused even with --insecure-ignore-host-keys; an unknown one passes unverified', async () => {
    const changed = file('changed_known_hosts', [`${address} ${keygen('impostor')}`])
    const inv = inventory('insecure-changed', `-o UserKnownHostsFile=${changed} -o StrictHostKeyChecking=no`)
    const r = await sshCheck(['--json', '--insecure-ignore-host-keys', '-i', inv])
    expect(r.code).toBe(4)
    expect(r.json?.hosts[0]?.reachable).toBe(false)
    expect(r.json?.hosts[0]?.error?.message).toContain(`host key of ${address} port 22 has CHANGED: it now presents ssh-ed25519 ${fingerprint(hostKey.blob)}, but ${changed}:1 holds a different key`)
    expect(r.json?.hosts[0]?.error?.message).toContain('only skips the check for hosts known_hosts does not list')
    expect(readFileSync(changed, 'utf8')).toBe(`${address} ${readFileSync(join(dir, 'impostor.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`)
    const unknown = file('empty_known_hosts', [])
    const ok = await sshCheck(['--json', '--insecure-ignore-host-keys', '-i', inventory('insecure-unknown', `-o UserKnownHostsFile=${unknown} -o StrictHostKeyChecking=no`)])
    expect(ok.code).toBe(0)
    expect(ok.json?.hosts[0]).toMatchObject({ reachable: true, hostKeyVerified: false })
    expect(readFileSync(unknown, 'utf8')).toBe('')
  })

  it('@revoked is refused whatever the policy', async () => {
    const kh = file('revoked_known_hosts', [`${address} ${hostKey.body}`, `@revoked * ${hostKey.body}`])
    const runs = [
      await sshCheck(['--json', '--known-hosts', kh, '--accept-new-host-keys', '-i', inventory('revoked')]),
      await sshCheck(['--json', '--insecure-ignore-host-keys', '-i', inventory('revoked-insecure', `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=no`)]),
    ]
    for (const r of runs) {
      expect(r.code).toBe(4)
      expect(r.json?.hosts[0]?.error?.message).toContain(`is marked @revoked in ${kh}:2`)
    }
  })

  describe('a host with a certificate signed by a @cert-authority', () => {
    let caLine: string

    beforeAll(async () => {
      // Sign the host's own key with a fresh CA and let its sshd present the certificate.
      caLine = keygen('host_ca')
      const hostDir = join(bed.dir, 'hosts', bed.hosts[0]?.name as string)
      execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'host_ca'), '-I', 'host1', '-h', '-n', address, join(hostDir, 'ssh_host_ed25519_key.pub')])
      appendFileSync(join(hostDir, 'sshd_config'), `HostCertificate ${join(hostDir, 'ssh_host_ed25519_key-cert.pub')}\n`)
      await bed.stopHost(bed.hosts[0]?.name as string)
      await bed.startHost(bed.hosts[0]?.name as string)
    })

    it('OpenSSH itself trusts the host through the CA line (the bed is set up right)', () => {
      const kh = file('ca_for_openssh', [`@cert-authority ${address} ${caLine}`])
      const out = execFileSync('ssh', ['-F', 'none', '-i', bed.keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${kh}`, '-o', 'StrictHostKeyChecking=yes', `${bed.user}@${address}`, 'echo', 'via-ca'], { encoding: 'utf8' })
      expect(out).toBe('via-ca\n')
    })

    it('authctl refuses it clearly in every mode, never trusting the plain key on first use', async () => {
      const kh = file('ca_known_hosts', ['# fleet CA', `@cert-authority ${address} ${caLine}`])
      const runs = [
        await sshCheck(['--json', '--known-hosts', kh, '-i', inventory('ca')]),
        await sshCheck(['--json', '--known-hosts', kh, '--accept-new-host-keys', '-i', inventory('ca')]),
        await sshCheck(['--json', '--insecure-ignore-host-keys', '-i', inventory('ca-insecure', `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=no`)]),
      ]
      for (const r of runs) {
        expect(r.code).toBe(4)
        expect(r.json?.hosts[0]?.error?.message).toBe(
          `host1: host ${address} port 22 is listed under @cert-authority in ${kh}:2, but authctl cannot verify SSH host certificates; ` +
            `refusing to trust the plain key it presents (ssh-ed25519 ${fingerprint(hostKey.blob)}) on first use`,
        )
        expect(r.json?.hosts[0]?.error?.hint).toBe(
          `compare the fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then add its plain key beside the CA line: ssh-keyscan -p 22 -t ed25519 ${address} >> ${kh}`,
        )
      }
      expect(readFileSync(kh, 'utf8')).toBe(`# fleet CA\n@cert-authority ${address} ${caLine}\n`)
      // What the hint says works: the plain key beside the CA line.
      appendFileSync(kh, execFileSync('ssh-keyscan', ['-p', '22', '-t', 'ed25519', address], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
      const ok = await sshCheck(['--json', '--known-hosts', kh, '-i', inventory('ca')])
      expect(ok.code).toBe(0)
      expect(ok.json?.hosts[0]).toMatchObject({ reachable: true, hostKeyVerified: true })
    })
  })
})

describe('hostile output reaches the operator escaped', () => {
  it('lock status: a lock planted with terminal escapes is shown inert, in the report and in --json', async () => {
    const lockDir = join(bed.hosts[0]?.dataDir as string, 'authentik', 'authctl.lock')
    mkdirSync(lockDir, { recursive: true })
    writeFileSync(join(lockDir, 'details.json'), JSON.stringify({ who: `mallory${OSC52}`, pid: 1, command: 'x\u202eetadpu', since: 'now\r\x1b[2Kfree' }))
    try {
      const args = ['lock', 'status', '-i', bed.inventoryPath, '--known-hosts', bed.knownHostsPath]
      const human = await runCli(args, env, 30_000)
      expect(human.code).toBe(0)
      expect(human.stdout).toBe(`host1  held by mallory${SHOWN} (pid 1, since now\\r\\x1b[2Kfree, x\\u202eetadpu)\n`)
      const json = await runCli([...args, '--json'], env, 30_000)
      expect(json.stdout).not.toMatch(/\\u001b|\\u0007|\u202e/)
      expect((JSON.parse(json.stdout) as { hosts: Array<{ details: unknown }> }).hosts[0]?.details).toEqual({ who: `mallory${SHOWN}`, pid: 1, command: 'x\\u202eetadpu', since: 'now\\r\\x1b[2Kfree' })
    } finally {
      rmSync(lockDir, { recursive: true, force: true })
    }
  })

  describe('an SSH peer whose disconnect reason carries escape sequences', () => {
    let server: Server
    let port: number

    // Speaks just enough SSH: its version line, then SSH_MSG_DISCONNECT (plaintext, before key exchange).
    function disconnectPacket(reason: string): Buffer {
      const str = (s: string): Buffer => {
        const length = Buffer.alloc(4)
        length.writeUInt32BE(Buffer.byteLength(s))
        return Buffer.concat([length, Buffer.from(s)])
      }
      // byte 1 = SSH_MSG_DISCONNECT, uint32 2 = protocol error, description, language tag
      const payload = Buffer.concat([Buffer.from([1, 0, 0, 0, 2]), str(reason), str('')])
      let pad = 8 - ((5 + payload.length) % 8)
      if (pad < 4) pad += 8
      const head = Buffer.alloc(5)
      head.writeUInt32BE(1 + payload.length + pad)
      head[4] = pad
      return Buffer.concat([head, payload, Buffer.alloc(pad)])
    }

    beforeAll(async () => {
      server = createServer((sock) => {
        sock.on('error', () => undefined)
        sock.write('SSH-2.0-OpenSSH_9.9\r\n')
        sock.once('data', () => sock.end(disconnectPacket(`bye ${OSC52}\x1b[2J\u202e`)))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as { port: number }).port
    })

    afterAll(() => {
      server?.close()
    })

    it('ssh-check shows the reason escaped, in the report and in --json', async () => {
      const inv = file('hostile-peer.ini', ['[authentik]', `evil ansible_host=127.0.0.1 ansible_port=${port} ansible_user=x ansible_ssh_private_key_file=${bed.keyFile}`])
      const human = await sshCheck(['--known-hosts', bed.knownHostsPath, '-i', inv])
      expect(human.code).toBe(4)
      expect(human.stdout).toContain(`evil: SSH connection to 127.0.0.1:${port} failed: bye ${SHOWN}\\x1b[2J\\u202e`)
      expect(human.stdout).not.toMatch(RAW_CONTROL)
      const json = await sshCheck(['--json', '--known-hosts', bed.knownHostsPath, '-i', inv])
      expect(json.json?.hosts[0]?.error?.message).toBe(`evil: SSH connection to 127.0.0.1:${port} failed: bye ${SHOWN}\\x1b[2J\\u202e`)
    })

    it('logs and restart say the reason escaped (restart in its recap too)', async () => {
      const inv = file('hostile-peer.ini', ['[authentik]', `evil ansible_host=127.0.0.1 ansible_port=${port} ansible_user=x ansible_ssh_private_key_file=${bed.keyFile}`])
      const shown = `evil: SSH connection to 127.0.0.1:${port} failed: bye ${SHOWN}\\x1b[2J\\u202e`
      const logs = await runCli(['logs', '-F', 'none', '--known-hosts', bed.knownHostsPath, '-i', inv], env, 30_000)
      expect(logs.code).toBe(4)
      expect(logs.stderr).toContain(`[evil] warning: ${shown}`)
      expect(logs.stdout + logs.stderr).not.toMatch(RAW_CONTROL)
      const restart = await runCli(['restart', '-F', 'none', '--known-hosts', bed.knownHostsPath, '-i', inv], env, 30_000)
      expect(restart.code).toBe(4)
      expect(restart.stdout).toContain(shown)
      expect(restart.stderr).toContain(`[evil] warning: ${shown}`)
      expect(restart.stdout + restart.stderr).not.toMatch(RAW_CONTROL)
    })
  })
})
