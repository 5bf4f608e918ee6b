// The test bed behaves like real hosts: real sshd with its own host key per host, a private /data
// per host, a non-root sudo user, every command line recorded, and nothing left running after stop().
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeSSH } from 'node-ssh'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, startTestbed, type Testbed } from '../support/testbed/index.js'
import { isAlive, processTree } from '../support/testbed/processes.js'
import { accepts } from '../support/testbed/sshd-process.js'
import { readState } from '../support/testbed/state.js'
import { waitFor } from '../support/wait-for.js'

interface Result {
  code: number
  stdout: string
  stderr: string
}

function sh(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 30_000, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

// The OpenSSH client, strict about host keys and blind to any ssh config of this machine.
function ssh(bed: Testbed, address: string, command: string, knownHosts = bed.knownHostsPath): Promise<Result> {
  return sh('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes',
    '-i', bed.keyFile, `${bed.user}@${address}`, command])
}

describe('test bed with 3 hosts', () => {
  let bed: Testbed
  let scratch: string

  beforeAll(async () => {
    bed = await startTestbed({ hosts: 3, vault: false })
    scratch = await mkdtemp(join(tmpdir(), 'authctl-testbed-test-'))
  })

  afterAll(async () => {
    await bed.stop()
    await rm(scratch, { recursive: true, force: true })
  })

  it('puts host i on 127.0.<slot>.(10+i):22 with a host key of its own', async () => {
    expect(bed.hosts.map((host) => host.address)).toEqual([1, 2, 3].map((i) => `127.0.${bed.slot}.${10 + i}`))
    const lines = readFileSync(bed.knownHostsPath, 'utf8').trim().split('\n')
    expect(lines.map((line) => line.split(' ')[0])).toEqual(bed.hosts.map((host) => host.address))
    expect(new Set(lines.map((line) => line.split(' ')[2])).size).toBe(3)
    for (const line of lines) expect(line.split(' ')[1]).toBe('ssh-ed25519')
  })

  it('gives each host a private /data and home in its own mount namespace', async () => {
    const [host1, host2, host3] = bed.hosts as [Testbed['hosts'][number], Testbed['hosts'][number], Testbed['hosts'][number]]
    const write = await ssh(bed, host1.address, "sudo -n sh -c 'mkdir -p /data/authentik && echo only-on-host1 > /data/authentik/marker'")
    expect(write).toMatchObject({ code: 0 })
    expect(await ssh(bed, host1.address, 'cat /data/authentik/marker')).toMatchObject({ code: 0, stdout: 'only-on-host1\n' })
    for (const other of [host2, host3]) {
      const read = await ssh(bed, other.address, 'ls -A /data; test -e /data/authentik/marker')
      expect(read).toMatchObject({ code: 1, stdout: '' })
    }
    expect(readFileSync(join(host1.dataDir, 'authentik/marker'), 'utf8')).toBe('only-on-host1\n')
    expect(existsSync(join(host2.dataDir, 'authentik'))).toBe(false)
    expect(existsSync('/data/authentik/marker')).toBe(false)
    // The login user's home is per host too.
    expect(await ssh(bed, host1.address, 'echo mine > ~/note && cat ~/note')).toMatchObject({ code: 0, stdout: 'mine\n' })
    expect(await ssh(bed, host2.address, 'test -e ~/note')).toMatchObject({ code: 1 })
    const ownNamespace = readlinkSync('/proc/self/ns/mnt')
    const namespaces = bed.hosts.map((host) => readlinkSync(`/proc/${host.sshdPid}/ns/mnt`))
    expect(new Set([ownNamespace, ...namespaces]).size).toBe(4)
  })

  it('logs in as a non-root user outside the docker group, with passwordless sudo', async () => {
    const address = bed.hosts[1]?.address ?? ''
    const who = await ssh(bed, address, 'id -un; id -u; id -nG')
    expect(who.code).toBe(0)
    const [name, uid, groups] = who.stdout.trim().split('\n')
    expect(name).toBe(bed.user)
    expect(uid).not.toBe('0')
    expect(groups?.split(' ')).not.toContain('docker')
    expect(await ssh(bed, address, 'sudo -n true')).toMatchObject({ code: 0 })
    expect(await ssh(bed, address, 'sudo -n id -u')).toMatchObject({ code: 0, stdout: '0\n' })
  })

  it('finds the docker stand-in first in PATH, with and without sudo', async () => {
    const stub = join(repoRoot, 'test/support/docker-stub')
    const plain = await ssh(bed, bed.hosts[0]?.address ?? '', 'echo "$PATH"')
    const sudo = await ssh(bed, bed.hosts[0]?.address ?? '', "sudo -n sh -c 'echo \"$PATH\"'")
    expect(plain.stdout.split(':')[0]).toBe(stub)
    expect(sudo.stdout.split(':')[0]).toBe(stub)
  })

  it('detects an unknown or wrong host key', async () => {
    const address = bed.hosts[0]?.address ?? ''
    const empty = join(scratch, 'empty_known_hosts')
    await writeFile(empty, '')
    const unknown = await ssh(bed, address, 'true', empty)
    expect(unknown.code).toBe(255)
    expect(unknown.stderr).toMatch(/Host key verification failed/)
    // host2's real key recorded for host1's address: the client must refuse host1.
    const host2Key = readFileSync(bed.knownHostsPath, 'utf8').split('\n')[1]?.split(' ').slice(1).join(' ')
    const swapped = join(scratch, 'swapped_known_hosts')
    await writeFile(swapped, `${address} ${host2Key}\n`)
    const wrong = await ssh(bed, address, 'true', swapped)
    expect(wrong.code).toBe(255)
    expect(wrong.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/)
    expect(await ssh(bed, address, 'true')).toMatchObject({ code: 0 })
  })

  it('records the exact command line before running it, and hides SSH_ORIGINAL_COMMAND', async () => {
    await bed.clearCommands()
    const command = `printf '%s|' "a  b" 'c"d\\e' "$(echo déjà)"; printf 'tab\\there'; env | grep -c SSH_ORIGINAL_COMMAND`
    const result = await ssh(bed, bed.hosts[2]?.address ?? '', command)
    expect(result.stdout).toBe('a  b|c"d\\e|déjà|tab\there0\n')
    expect(await bed.commands('host3')).toEqual([command])
    expect(await bed.commands('host1')).toEqual([])
    const entry = JSON.parse(readFileSync(bed.hosts[2]?.commandLog ?? '', 'utf8').trim()) as { ts: string; command: string }
    expect(entry.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('serves exec and SFTP to an ssh2 client (node-ssh) verifying the host key', async () => {
    const host = bed.hosts[0]
    const expected = readFileSync(bed.knownHostsPath, 'utf8').split('\n')[0]?.split(' ')[2] ?? ''
    const client = new NodeSSH()
    await client.connect({
      host: host?.address, port: host?.port, username: bed.user, privateKey: await readFile(bed.keyFile, 'utf8'),
      hostVerifier: (key: Buffer) => key.toString('base64') === expected,
    })
    try {
      const local = join(scratch, 'upload.txt')
      await writeFile(local, 'uploaded\n')
      await client.putFile(local, '/tmp/authctl-testbed-upload.txt')
      const result = await client.execCommand('cat /tmp/authctl-testbed-upload.txt && rm /tmp/authctl-testbed-upload.txt')
      expect(result).toMatchObject({ code: 0, stdout: 'uploaded' })
    } finally {
      client.dispose()
    }
    expect(await bed.commands('host1')).toContain('/usr/lib/openssh/sftp-server')
  })

  it('writes an inventory that ansible itself reads and connects through', async () => {
    const inventory = readFileSync(bed.inventoryPath, 'utf8')
    expect(inventory).toContain(`host1 ansible_host=${bed.hosts[0]?.address} ansible_port=22 ansible_user=${bed.user} ansible_ssh_private_key_file=${bed.keyFile}`)
    const env = { ...process.env, ANSIBLE_SSH_ARGS: '-o ControlMaster=no', ANSIBLE_LOCAL_TEMP: scratch, ANSIBLE_NOCOLOR: '1' }
    const ran = await sh('ansible', ['-i', bed.inventoryPath, 'authentik', '-m', 'raw', '-a', 'id -un'], env)
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout.match(/CHANGED/g)?.length).toBe(3)
  })
})

describe('test bed lifecycle', () => {
  it('runs the seeded Vault test server, reachable from the hosts, and stop() leaves no process behind', async () => {
    const bed = await startTestbed({ hosts: 2 })
    const [host1, host2] = bed.hosts as [Testbed['hosts'][number], Testbed['hosts'][number]]
    const vault = bed.vault
    const vaultPid = (await readState(bed.dir))?.vault?.pid ?? 0
    expect(vault?.addr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(readFileSync(bed.inventoryPath, 'utf8')).toContain(`\nvault_addr=${vault?.addr}\n`)
    const self = await fetch(`${vault?.addr}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': vault?.operatorToken ?? '' } })
    expect(self.status).toBe(200)
    expect(((await self.json()) as { data: { policies: string[] } }).data.policies).toContain('authctl-operator')
    const health = await ssh(bed, host1.address, `curl -sf ${vault?.addr}/v1/sys/health`)
    expect(JSON.parse(health.stdout)).toMatchObject({ initialized: true, sealed: false })
    expect(isAlive(vaultPid)).toBe(true)

    // A session still running on host2 must not survive stop() either.
    const session = ssh(bed, host2.address, 'sleep 20')
    await waitFor(() => processTree(host2.sshdPid).length >= 3, 'host2\'s sshd session processes', 5_000, 50)
    const pids = [...processTree(host1.sshdPid), ...processTree(host2.sshdPid)]
    expect(pids.length).toBeGreaterThan(3)

    const firstPid = host1.sshdPid
    await bed.stopHost('host1')
    expect(isAlive(firstPid)).toBe(false)
    expect(await accepts(host1.address, 22)).toBe(false)
    await bed.startHost('host1')
    expect(host1.sshdPid).not.toBe(firstPid)
    expect(await ssh(bed, host1.address, 'echo back')).toMatchObject({ code: 0, stdout: 'back\n' })

    const all = [...pids, host1.sshdPid, ...processTree(host1.sshdPid), vaultPid]
    await bed.stop()
    expect((await session).code).not.toBe(0)
    expect(all.filter(isAlive)).toEqual([])
    expect(await accepts(host1.address, 22)).toBe(false)
    expect(await accepts(host2.address, 22)).toBe(false)
    expect(existsSync(bed.dir)).toBe(false)
    await expect(fetch(`${vault?.addr}/v1/sys/health`)).rejects.toThrow()
  })

  it('runs two beds at once on distinct address slots', async () => {
    const beds = await Promise.all([startTestbed({ hosts: 1, vault: false }), startTestbed({ hosts: 1, vault: false })])
    try {
      const [a, b] = beds as [Testbed, Testbed]
      expect(a.slot).not.toBe(b.slot)
      expect(a.hosts[0]?.address).not.toBe(b.hosts[0]?.address)
      for (const bed of beds) expect(await ssh(bed, bed.hosts[0]?.address ?? '', 'echo ok')).toMatchObject({ code: 0, stdout: 'ok\n' })
      // Each bed's known_hosts holds only its own key: the other bed's host is unknown to it.
      expect(await ssh(a, b.hosts[0]?.address ?? '', 'true')).toMatchObject({ code: 255 })
    } finally {
      await Promise.all(beds.map((bed) => bed.stop()))
    }
  })
})
