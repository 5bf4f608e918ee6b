import { describe, expect, it } from 'vitest'
import { convergeArgv, groupsFor, restartGroups } from '../../../src/remote/converge-script.js'
import { hostPaths } from '../../../src/stack/host-paths.js'

describe('convergeArgv', () => {
  const paths = hostPaths('/data/authentik')
  it('passes the compose file, project, up flag, wait, marker, owed restart and the groups as data', () => {
    const argv = convergeArgv({ paths, project: 'authentik', up: false, groups: [['vault-agent'], ['server', 'worker']], waitSeconds: 120, owe: 'agent' })
    expect(argv.slice(0, 5)).toEqual(['sudo', '-n', '--', 'sh', '-c'])
    expect(argv.slice(6)).toEqual(['authctl-converge', '/data/authentik/docker-compose.yml', 'authentik', '0', '120', '/data/authentik/.authctl-pending-restart', 'agent', 'vault-agent', 'server worker'])
    expect(convergeArgv({ paths, project: 'p', up: true, groups: [], waitSeconds: 5 }).slice(6)).toEqual(['authctl-converge', '/data/authentik/docker-compose.yml', 'p', '1', '5', '/data/authentik/.authctl-pending-restart', ''])
  })

  it('proves a fresh login after any agent restart, from the log lines since the restart', () => {
    const script = convergeArgv({ paths, project: 'p', up: false, groups: [], waitSeconds: 5 })[5] ?? ''
    expect(script).toContain(String.raw`grep -Eq '\[INFO\] +(agent\.)?auth\.handler: authentication successful'`)
    expect(script).toContain('dc logs --no-color --no-log-prefix --since "$1" vault-agent')
    expect(script).toContain('*" vault-agent "*) fresh_login "$since"')
  })
})

describe('restart groups', () => {
  it('always restarts the agent alone first, then server and worker together', () => {
    expect(restartGroups(['worker', 'vault-agent', 'server'])).toEqual([['vault-agent'], ['server', 'worker']])
    expect(restartGroups(['worker'])).toEqual([['worker']])
    expect(restartGroups(['server', 'vault-agent'])).toEqual([['vault-agent'], ['server']])
    expect(groupsFor('agent')).toEqual([['vault-agent'], ['server', 'worker']])
    expect(groupsFor('up')).toEqual([])
  })
})
