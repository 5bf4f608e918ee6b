// Ansible as its speed-minded users run it (issue 11): an ansible.cfg with pipelining, ControlPersist
// masters in a private directory, forks = host count (at most 50) and the free strategy. Facts are
// off in the playbooks themselves (gather_facts: false) and here (gathering = explicit).
import { join } from 'node:path'

// Ansible's own ceiling for the tuned rows' forks (and the floor's parallelism).
export const MAX_TUNED_FORKS = 50

// Forks of the tuned rows and of the floor at this host count.
export const tunedForks = (hosts: number): number => Math.min(hosts, MAX_TUNED_FORKS)

// The ansible.cfg text. ssh_args is not %-interpolated by Ansible (2.14), so `%C` reaches ssh as
// is: one socket per (host, port, user); a literal ControlPath would multiplex every host into the
// first host's master. interpreter_python names the interpreter, so no discovery round trip a host
// (one step past the list; Ansible gets every advantage its users give it). timeout = 60:
// at 50 forks on 2 loaded cores the default 10 s (12 s to the sudo prompt) fails hosts; users who
// raise forks raise it too, and it costs nothing when nothing is slow.
export function tunedAnsibleCfg(forks: number, controlDir: string): string {
  return [
    '# Written by bench/bench.ts for the tuned Ansible rows.',
    '[defaults]',
    `forks = ${forks}`,
    'strategy = free',
    'gathering = explicit',
    'host_key_checking = True',
    'interpreter_python = /usr/bin/python3',
    'nocolor = True',
    'timeout = 60',
    '',
    '[ssh_connection]',
    'pipelining = True',
    `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${join(controlDir, '%C')}`,
    '',
  ].join('\n')
}
