import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// ssh2 (~130 ms) and execa (~100 ms) must load only when a command connects or spawns, so that
// `authctl --help` stays fast: transport modules may import their types, never their values.
describe('transport imports heavy libraries lazily', () => {
  const dir = join(import.meta.dirname, '../../../src/transport')
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

  it.each(files)('%s has no static value import of ssh2, node-ssh or execa', (file) => {
    const text = readFileSync(join(dir, file), 'utf8')
    expect(text).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'(ssh2|node-ssh|execa)'/m)
  })

  it('the dynamic imports are where the work starts', () => {
    expect(readFileSync(join(dir, 'ssh-host.ts'), 'utf8')).toContain("await import('ssh2')")
    expect(readFileSync(join(dir, 'local.ts'), 'utf8')).toContain("await import('execa')")
  })
})
