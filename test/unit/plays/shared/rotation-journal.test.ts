// The bastion's rotation journal: owner-only, atomic, refused when damaged, and what status shows.
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../../src/errors.js'
import { journalPath, loadJournal, markStep, newJournal, saveJournal, unfinishedRotations } from '../../../../src/plays/shared/rotation-journal.js'

const fields = { kind: 'rotate-db-password' as const, who: 'op@bastion', command: 'authctl rotate-db-password --yes', path: 'secret/cwiq/shared/authentik/database', method: 'rds' as const, target: 'RDS instance x', restart: true, fromVersion: 4 }

async function home(): Promise<NodeJS.ProcessEnv> {
  return { HOME: await mkdtemp(join(tmpdir(), 'authctl-journal-')) }
}

describe('rotation journal', () => {
  it('lives under the XDG state folder (HOME/.local/state by default)', () => {
    expect(journalPath('rotate-db-password', { HOME: '/home/op' })).toBe('/home/op/.local/state/authctl/rotations/rotate-db-password.json')
    expect(journalPath('rotate-db-password', { HOME: '/home/op', XDG_STATE_HOME: '/var/state' })).toBe('/var/state/authctl/rotations/rotate-db-password.json')
  })

  it('is written 0600 in a 0700 folder, atomically, and reads back as written', async () => {
    const env = await home()
    const j = newJournal(fields, new Date('2026-01-01T00:00:00Z'))
    markStep(j, 'db-change', 'wrote version 5', new Date('2026-01-01T00:00:01Z'))
    j.toVersion = 5
    const path = await saveJournal(j, env)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700)
    expect(await readdir(join(path, '..'))).toEqual(['rotate-db-password.json'])
    expect(await loadJournal('rotate-db-password', env)).toEqual(j)
    expect(j.events).toEqual([{ at: '2026-01-01T00:00:01.000Z', step: 'db-change', note: 'wrote version 5' }])
  })

  it('none yet: null, and status lists nothing', async () => {
    const env = await home()
    expect(await loadJournal('rotate-db-password', env)).toBeNull()
    expect(await unfinishedRotations(env)).toEqual([])
  })

  it('status lists an unfinished rotation with the command that finishes it, and not a finished one', async () => {
    const env = await home()
    const j = newJournal(fields, new Date('2026-01-01T00:00:00Z'))
    await saveJournal(j, env)
    expect(await unfinishedRotations(env)).toEqual([{
      kind: 'rotate-db-password', journal: journalPath('rotate-db-password', env), startedAt: '2026-01-01T00:00:00.000Z', who: 'op@bastion',
      step: 'vault-write', fromVersion: 4, toVersion: null, owed: [], source: 'journal', resume: 'authctl rotate-db-password --resume',
    }])
    for (const step of ['done', 'rolled-back', 'aborted'] as const) {
      markStep(j, step, 'over', new Date())
      await saveJournal(j, env)
      expect(await unfinishedRotations(env)).toEqual([])
    }
  })

  it('a damaged journal is a ConfigError naming the file, never silently ignored', async () => {
    const env = await home()
    const path = journalPath('rotate-db-password', env)
    await mkdir(join(path, '..'), { recursive: true })
    for (const text of ['{not json', '{"format":1,"kind":"other"}', 'null']) {
      await writeFile(path, text)
      const error = await loadJournal('rotate-db-password', env).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).message).toContain(`the rotation journal ${path} is damaged`)
      await expect(unfinishedRotations(env)).rejects.toThrow(ConfigError)
    }
    expect(await readFile(path, 'utf8')).toBe('null')
  })
})
