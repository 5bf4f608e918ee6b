// authctl's own remote commands at OpenSSH speed: the commands each host logged during a no-change
// run, replayed with the OpenSSH client in one session a host (`cmd1 && cmd2`), all hosts at once,
// so it pays the floor's connections plus the commands' work on the host. The replay minus the
// floor is what those commands cost on the host; authctl minus the replay is authctl's local side
// (Node start-up, module loading, ssh2 in JS, render, Vault) and its extra round trips.
// Replaying a no-change run changes nothing: it reads state (a no-change run takes no lock).
import { writeFile } from 'node:fs/promises'
import type { Testbed } from '../../test/support/testbed/index.js'

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

// The sh script: per host one background ssh running that host's commands in order; exit 1 when
// any host failed.
export function replayScript(bed: Pick<Testbed, 'hosts' | 'user' | 'keyFile' | 'knownHostsPath'>, commands: ReadonlyMap<string, readonly string[]>): string {
  const opts = [
    '-F', 'none', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', bed.keyFile, '-o', `UserKnownHostsFile=${bed.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
  ].map(quote).join(' ')
  const lines = ['#!/bin/sh', '# written by bench/lib/replay.ts', 'pids=']
  for (const h of bed.hosts) {
    const cmds = commands.get(h.name) ?? []
    if (cmds.length === 0) continue
    const remote = cmds.map((c) => `{ ${c}
}`).join(' && ')
    lines.push(`ssh ${opts} -p ${h.port} ${quote(`${bed.user}@${h.address}`)} ${quote(remote)} </dev/null >/dev/null &`, 'pids="$pids $!"')
  }
  lines.push('rc=0', 'for p in $pids; do wait "$p" || rc=1; done', 'exit $rc', '')
  return lines.join('\n')
}

// Writes the script for the commands a bed's hosts logged.
export async function writeReplay(bed: Testbed, commands: ReadonlyMap<string, readonly string[]>, file: string): Promise<void> {
  await writeFile(file, replayScript(bed, commands), { mode: 0o700 })
}
