import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { HostState, PathState } from '../../../src/remote/parse-state.js'
import type { DesiredFile } from '../../../src/render/desired.js'
import { filesToWrite, planChanges, planHost } from '../../../src/steps/plan.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const file = (path: string, content: string, restarts: DesiredFile['restarts']): DesiredFile => ({ path, content, mode: 0o400, uid: 100, gid: 1000, secret: false, restarts })
const running = ['vault-agent', 'server', 'worker'].map((service) => ({ service, state: 'running', health: 'healthy' }))

function state(paths: Record<string, PathState>, extra: Partial<HostState> = {}): HostState {
  return { composeVersion: '2.29.7', paths: new Map(Object.entries(paths)), services: running, secretIdRecord: [], ...extra }
}
const have = (content: string, mode = 0o400): PathState => ({ kind: 'file', sha256: sha(content), mode, uid: 100, gid: 1000 })

describe('planHost', () => {
  const cfg = file('/r/vault/config/config.hcl', 'cfg', 'agent')
  const compose = file('/r/docker-compose.yml', 'yml', 'compose-up')

  it('changes nothing when content, mode and owner match and the stack is healthy', () => {
    const plan = planHost({ dirs: [], files: [cfg, compose] }, state({ [cfg.path]: have('cfg'), [compose.path]: have('yml') }))
    expect(planChanges(plan)).toBe(false)
    expect(plan.files.map((f) => f.action)).toEqual(['unchanged', 'unchanged'])
  })

  it('a changed agent file on a running stack restarts the agent', () => {
    const plan = planHost({ dirs: [], files: [cfg, compose] }, state({ [cfg.path]: have('old'), [compose.path]: have('yml') }))
    expect(plan.restart).toBe('agent')
    expect(filesToWrite(plan)).toEqual([cfg])
  })

  it('a changed compose file only needs up', () => {
    const plan = planHost({ dirs: [], files: [cfg, compose] }, state({ [cfg.path]: have('cfg'), [compose.path]: have('old') }))
    expect(plan.restart).toBe('up')
  })

  it('a first deployment needs up, not a restart', () => {
    const plan = planHost({ dirs: [], files: [cfg, compose] }, state({}, { services: [] }))
    expect(plan.restart).toBe('up')
    expect(plan.files.map((f) => f.action)).toEqual(['create', 'create'])
  })

  it('a wrong mode is fixed without a restart', () => {
    const plan = planHost({ dirs: [], files: [cfg] }, state({ [cfg.path]: have('cfg', 0o644) }))
    expect(plan.files[0]?.action).toBe('fix-permissions')
    expect(plan.restart).toBeUndefined()
  })

  it('a restart owed by a failed run is done even when nothing changed', () => {
    const plan = planHost({ dirs: [], files: [cfg] }, state({ [cfg.path]: have('cfg') }, { pendingRestart: 'agent' }))
    expect(plan.restart).toBe('agent')
    expect(plan.restartReason).toBe('owed by an earlier run that did not finish')
  })

  it('a directory with the wrong owner is fixed', () => {
    const dir = { path: '/r/vault/config', mode: 0o700, uid: 100, gid: 1000 }
    const plan = planHost({ dirs: [dir], files: [] }, state({ [dir.path]: { kind: 'dir', mode: 0o700, uid: 0, gid: 0 } }))
    expect(plan.dirs).toEqual([dir])
  })
})
