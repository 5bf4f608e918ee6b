// The floor: the least any tool pays to touch every host. Per host one OpenSSH client process runs
// `sudo -n true` (BatchMode, the bed's key and known_hosts, strict host keys), `forks` at a time
// through `xargs -P`, so the measured process is xargs and the wall time covers every connection.
import { writeFile } from 'node:fs/promises'
import type { Testbed } from '../../test/support/testbed/index.js'

// One xargs input line a host: the arguments that follow the fixed ssh options.
export function floorLines(bed: Pick<Testbed, 'hosts' | 'user'>): string {
  return bed.hosts.map((h) => `-p ${h.port} ${bed.user}@${h.address} sudo -n true\n`).join('')
}

// Writes the xargs input file for this bed.
export async function writeFloorHosts(bed: Testbed, path: string): Promise<void> {
  await writeFile(path, floorLines(bed))
}

// argv of the floor run: `xargs -a FILE -P FORKS -L 1 ssh <options> <line>`.
export function floorArgv(hostsFile: string, forks: number, bed: Pick<Testbed, 'keyFile' | 'knownHostsPath'>): string[] {
  return [
    '-a', hostsFile, '-P', String(forks), '-L', '1',
    'ssh', '-F', 'none', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', bed.keyFile,
    '-o', `UserKnownHostsFile=${bed.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
  ]
}
