// authctl's own remote commands at OpenSSH speed: the commands each host logged during a no-change
// run, replayed with the OpenSSH client (one connection a host, the commands in order over it, all
// hosts at once). The replay minus the floor is what those commands cost on the host; authctl minus
// the replay is authctl's local side (Node start-up, module loading, ssh2 in JS, render, Vault).
// Replaying a no-change run changes nothing: it reads state, takes and releases the same lock.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Testbed } from '../../test/support/testbed/index.js'

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

// The sh script: per host a background chain of ssh calls; the first opens a master that the others
// reuse (ControlPersist 1 s lets it go right after); exit 1 when any chain failed.
export function replayScript(bed: Pick<Testbed, 'hosts' | 'user' | 'keyFile' | 'knownHostsPath'>, commands: ReadonlyMap<string, readonly string[]>, controlDir: string): string {
  const opts = [
    '-F', 'none', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', bed.keyFile, '-o', `UserKnownHostsFile=${bed.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'ControlMaster=auto', '-o', 'ControlPersist=1', '-o', `ControlPath=${join(controlDir, '%C')}`,
  ].map(quote).join(' ')
  const lines = ['#!/bin/sh', '# written by bench/lib/replay.ts', 'pids=']
  for (const h of bed.hosts) {
    const cmds = commands.get(h.name) ?? []
    if (cmds.length === 0) continue
    const calls = cmds.map((c) => `ssh ${opts} -p ${h.port} ${quote(`${bed.user}@${h.address}`)} ${quote(c)} </dev/null >/dev/null`)
    lines.push(`( ${calls.join(' && ')} ) &`, 'pids="$pids $!"')
  }
  lines.push('rc=0', 'for p in $pids; do wait "$p" || rc=1; done', 'exit $rc', '')
  return lines.join('\n')
}

// Writes the script for the commands a bed's hosts logged.
export async function writeReplay(bed: Testbed, commands: ReadonlyMap<string, readonly string[]>, file: string, controlDir: string): Promise<void> {
  await writeFile(file, replayScript(bed, commands, controlDir), { mode: 0o700 })
}
