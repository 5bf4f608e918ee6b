import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// test/unit/ mirrors src/ (and bench/): a folder here is a folder there, a loose test file names a top-level file.
const ROOT = join(import.meta.dirname, '../../..')
const UNIT = join(ROOT, 'test/unit')
const OWN = new Set(['architecture'])

function folders(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? [relative(UNIT, path), ...folders(path)] : []
  })
}

describe('test/unit mirrors src', () => {
  it('has no folder that src/ (or bench/) does not have', () => {
    const stray = folders(UNIT).filter((f) => !OWN.has(f.split('/')[0] as string) && !existsSync(join(ROOT, 'src', f)) && !existsSync(join(ROOT, f)))
    expect(stray).toEqual([])
  })

  it('keeps loose test files only for top-level src files', () => {
    const loose = readdirSync(UNIT).filter((f) => f.endsWith('.test.ts') && !existsSync(join(ROOT, 'src', f.replace(/\.test\.ts$/, '.ts'))))
    expect(loose).toEqual([])
  })
})
