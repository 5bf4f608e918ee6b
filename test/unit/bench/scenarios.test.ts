// The bench's command lines, exactly: tuned ansible.cfg, the floor's xargs argv, the restart rows
// (pending until `authctl restart` exists, --yes only when it has one) and phases from --json.
import { describe, expect, it } from 'vitest'
import { tunedAnsibleCfg, tunedForks } from '../../../bench/lib/ansible-config.js'
import { authctlAllHosts, phasesOf } from '../../../bench/lib/checks.js'
import { floorArgv, floorLines } from '../../../bench/lib/floor.js'
import type { Measured } from '../../../bench/lib/proc.js'
import { restartPending, SCENARIOS, type BenchContext } from '../../../bench/lib/scenarios.js'
import type { Testbed } from '../../support/testbed/index.js'

const bed = {
  inventoryPath: '/b/inventory.ini', knownHostsPath: '/b/known_hosts', keyFile: '/b/id', user: 'u',
  hosts: [{ name: 'host1', address: '127.0.3.11', port: 22 }, { name: 'host2', address: '127.0.3.12', port: 2222 }],
} as unknown as Testbed
const ctx = (restartHelp?: string): BenchContext => ({
  bed, hosts: 2, runJs: '/s/bin/run.js', playbook: '/p/setup.yml', restartPlaybook: '/p/restart.yml', varsFile: '/w/vars.json',
  authctlEnv: {}, ansibleEnv: { A: 'default' }, tunedAnsibleEnv: { A: 'tuned' }, floorHostsFile: '/w/floor.txt', replayFile: '/w/replay.sh', ...(restartHelp === undefined ? {} : { restartHelp }),
})
const scenario = (id: string) => SCENARIOS.find((s) => s.id === id) ?? expect.unreachable(id)
const measured = (code: number, stdout: string): Measured => ({ code, stdout, stderr: '', wallMs: 1, timedOut: false })

describe('tuned Ansible', () => {
  it('writes the ansible.cfg of issue 11 with one control socket per host', () => {
    const text = tunedAnsibleCfg(10, '/w/cp')
    expect(text).toContain('forks = 10\nstrategy = free\ngathering = explicit\n')
    expect(text).toContain('timeout = 60\n')
    expect(text).toContain('pipelining = True\nssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/w/cp/%C\n')
    expect([tunedForks(1), tunedForks(10), tunedForks(200)]).toEqual([1, 10, 50])
  })

  it('runs the playbooks with the tuned config and no -f, the default rows with -f 5', () => {
    expect(scenario('ansible-tuned-restart-serial1').command(ctx())).toEqual({
      file: 'ansible-playbook', args: ['-i', '/b/inventory.ini', '-e', '@/w/vars.json', '-e', 'restart_serial=1', '/p/restart.yml'], env: { A: 'tuned' },
    })
    expect(scenario('ansible-restart-all-f5').command(ctx()).args).toEqual(['-i', '/b/inventory.ini', '-f', '5', '-e', '@/w/vars.json', '/p/restart.yml'])
  })
})

describe('the floor', () => {
  it('gives xargs one line a host and ssh the bed key and known_hosts', () => {
    expect(floorLines(bed)).toBe('-p 22 u@127.0.3.11 sudo -n true\n-p 2222 u@127.0.3.12 sudo -n true\n')
    expect(floorArgv('/w/floor.txt', 2, bed).join(' ')).toBe(
      '-a /w/floor.txt -P 2 -L 1 ssh -F none -o BatchMode=yes -o IdentitiesOnly=yes -i /b/id -o UserKnownHostsFile=/b/known_hosts -o StrictHostKeyChecking=yes',
    )
  })
})

describe('authctl restart rows', () => {
  it('are pending while the build has no restart command or lacks its flags', () => {
    expect(restartPending({})).toBe('pending (authctl restart not built)')
    expect(restartPending({ restartHelp: 'USAGE $ authctl restart --serial <value> --json' })).toBe('pending (authctl restart has no --all-at-once)')
    expect(restartPending({ restartHelp: '--serial --all-at-once --json' })).toBeUndefined()
  })

  it('pass --yes only when the command has it', () => {
    const conn = ['restart', '-i', '/b/inventory.ini', '--known-hosts', '/b/known_hosts', '--json']
    expect(scenario('authctl-restart-serial1').command(ctx('--serial --all-at-once --json')).args).toEqual(['/s/bin/run.js', ...conn, '--serial', '1'])
    expect(scenario('authctl-restart-all').command(ctx('--serial --all-at-once --json -y, --yes')).args).toEqual(['/s/bin/run.js', ...conn, '--all-at-once', '--yes'])
  })

  it('count only when every host is in the --json result', () => {
    const two = JSON.stringify({ hosts: [{ host: 'a', status: 'restarted' }, { host: 'b', status: 'restarted' }] })
    expect(authctlAllHosts(2)(measured(0, two))).toBeUndefined()
    expect(authctlAllHosts(3)(measured(0, two))).toBe('--json names 2 of 3 hosts')
    expect(authctlAllHosts(2)(measured(2, JSON.stringify({ hosts: [{ host: 'a', error: { message: 'unhealthy' } }] })))).toBe('exit 2: a: unhealthy')
  })
})

describe('phasesOf', () => {
  it('reads top-level timings, else the slowest host per phase, else nothing', () => {
    expect(phasesOf(JSON.stringify({ timings: { connect: 120, state: 300, note: 'x' } }))).toEqual({ connect: 120, state: 300 })
    expect(phasesOf(JSON.stringify({ hosts: [{ phases: { connect: 100, write: 5 } }, { phases: { connect: 150 } }] }))).toEqual({ 'host.connect': 150, 'host.write': 5 })
    // both: the run's spans, and each step of the slowest host
    expect(phasesOf(JSON.stringify({ timings: { read: 300, total: 900 }, hosts: [{ timings: { write: 200, converge: 400 } }, { timings: { write: 250, converge: 300 } }] })))
      .toEqual({ read: 300, total: 900, 'host.write': 250, 'host.converge': 400 })
    expect(phasesOf(JSON.stringify({ hosts: [{ host: 'a' }] }))).toBeUndefined()
    expect(phasesOf('not json')).toBeUndefined()
  })
})
